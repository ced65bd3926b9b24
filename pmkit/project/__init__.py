"""The project lens: deliver one project well.

Where each concept of project management lives:

=================================  =============================================================
concept                            module (main functions)
=================================  =============================================================
SMART objectives                   :mod:`.kpi` (``smart_check``)
plan and schedule, critical path   :mod:`.scheduling` (``schedule``, ``critical_path``,
                                   ``project_finish``, ``resource_loading``)
resources (leveling)               :mod:`.leveling` (``level``)
monitoring: earned value,          :mod:`.evm` (``schedule_baseline``, ``planned_value``,
earned schedule, forecasts         ``earned_value``, ``earned_schedule``, ``s_curve_table``)
risks and issues                   :mod:`.risk` (``risk_register``, ``heat_map``, ``exposure``)
schedule and cost risk             :mod:`.montecarlo` (``simulate``)
project KPIs: on time, on budget,  :mod:`.kpi` (``project_kpis``, ``project_status``: the
specifications, satisfaction       project RAG rule of :mod:`pmkit.rag`)
closing, lessons learned           :mod:`.closing` (``closing_summary``)
=================================  =============================================================

Every function takes a :class:`pmkit.Project` (one project's rows of each table). The
portfolio lens, :mod:`pmkit.portfolio`, takes the whole :class:`pmkit.Portfolio`.
"""
