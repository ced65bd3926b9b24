"""The portfolio lens: choose and steer the set of projects for the most strategic value.

Where each concept of portfolio management lives:

=================================  =============================================================
concept                            module (main functions)
=================================  =============================================================
strategic alignment                :mod:`.alignment` (``alignment``, ``alignment_matrix``,
                                   ``spend_by_objective``, ``objective_weights``)
prioritization                     :mod:`.prioritization` (``ahp``, ``weighted_scores``,
                                   ``ranking_sensitivity``, ``rank_stability``)
value: ROI, NPV, IRR, payback      :mod:`.financials` (``financials``, ``portfolio_financials``)
selection under budget and         :mod:`.selection` (``select``, ``frontier``,
capacity (resource allocation)     ``compare_scenarios``)
resource utilization               :mod:`.capacity` (``capacity_plan``, ``utilization``)
portfolio risk                     :mod:`.risk` (``simulate_portfolio``, ``risk_value``,
                                   ``concentration``)
portfolio performance and KPIs     :mod:`.kpi` (``portfolio_kpis``, ``portfolio_dashboard``,
                                   ``portfolio_status``: the program and portfolio RAG rules)
what-if: where the lenses meet     :mod:`.whatif` (``delay_effects``, ``budget_scenarios``)
=================================  =============================================================

Every function takes a :class:`pmkit.Portfolio`. The project lens, :mod:`pmkit.project`,
looks at one project at a time; this lens reads its results (earned value, KPIs) as
inputs, never the other way round.
"""
