"""Write the pmkit notebooks (``notebooks/*.ipynb``) from the cell lists below.

The notebooks are generated so they stay reviewable (this file diffs well) and
regenerable; they are committed without outputs. Run from anywhere::

    .venv/bin/python notebooks/build_notebooks.py

Rules every notebook follows: a first code cell tagged ``parameters`` with typed defaults
pointing at the sample data (papermill injects other values after it); cells only load,
call pmkit, show and explain; nothing non-trivial is computed in a cell. The ``offline``
parameter renders charts as static SVG for the HTML reports; ``headline_path`` is where
``pmkit report`` collects the headline figures for its index page.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat as nbf

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(text: str) -> nbf.NotebookNode:
    return nbf.v4.new_markdown_cell(dedent(text).strip())


def code(src: str, *tags: str) -> nbf.NotebookNode:
    cell = nbf.v4.new_code_cell(dedent(src).strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def parameters(**defaults) -> nbf.NotebookNode:
    """The papermill ``parameters`` cell: one typed assignment per line with a comment."""
    lines = ["# Parameters (papermill and `pmkit report` replace them; edit them to explore)"]
    for name, (value, comment) in defaults.items():
        kind = type(value).__name__
        lines.append(f"{name}: {kind} = {value!r}  # {comment}")
    return code("\n".join(lines), "parameters")


def notebook(title: str, cells: list[nbf.NotebookNode], stem: str) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = title
    nb.cells = cells
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"{stem[:2]}-{i:02d}"
    return nb


DATA = ("../data/samples/northwind", "portfolio folder or .xlsx workbook")
OFFLINE = (False, "True: charts as static SVG (offline HTML reports)")
HEADLINE = ("", "file for the headline figures of the report index (blank: none)")


def project_setup(states: str) -> nbf.NotebookNode:
    return code(f"""
        import pmkit
        from pmkit import reports as rp
        from pmkit.charts.render import setup_notebook

        setup_notebook(offline)
        pf = pmkit.load(data_path)
        prj = rp.pick_project(pf, project_id, {states})
        rp.project_card(prj)
    """)


# remaining work simulated from the status date; planning and monitoring show the same run
MONTE_CARLO = code("""
    mc = pmkit.simulate(prj, iterations=1000, seed=1)
    rp.show_table(mc.summary())
""")

HEADLINE_PROJECT = code("rp.save_headline(headline_path, rp.project_headline(prj))")
VERDICT = md("""
    ## Verdict

    The colour by the project rule (`docs/rag.md`) with what set it, and the headline figures the
    report index shows. The sections below give the detail.
""")


HISTORY = ("", "store of status updates (blank: the one beside the data, see `pmkit history`)")

# DCMA 14-point assessment: planning and monitoring show the same section
HEALTH = [
    md("""
        ## Schedule quality (DCMA 14-point assessment)

        Is the schedule fit to be believed? The DCMA 14-point assessment (DCMA-EA PAM 200.1)
        checks logic, leads, lags, relationship types, hard constraints, high float and
        duration (over 44 working days), negative float, invalid dates, resources, missed
        tasks, the critical path test, CPLI and BEI, each against its threshold
        (`docs/health.md`; `pmkit health FILE` prints the same table).
    """),
    code("""
        from pmkit.charts import health as health_charts

        quality = pmkit.health(prj)
        health_charts.health_chart(quality)
    """),
    code("rp.show_table(quality.checks[['number', 'check', 'count', 'denominator', 'value', 'unit', 'threshold', 'passed', 'note']], max_rows=14)"),
    code("rp.show_table(quality.offenders[['check', 'task_id', 'name', 'why']], max_rows=15, empty='No task fails a check.')"),
]

# --------------------------------------------------------------------------- 01 planning
PLANNING = [
    md("""
        # Project planning

        A proposed project, before work starts: what it must achieve, the plan of work and its
        critical path, who does the work, what it costs and how sure its dates are. Change
        `project_id` in the next cell to plan another project.
    """),
    parameters(data_path=DATA, project_id=("P09", "project to plan (blank: the first proposed one)"),
               offline=OFFLINE, headline_path=HEADLINE),
    project_setup('("proposed",)'),
    VERDICT,
    HEADLINE_PROJECT,
    md("""
        ## Objectives and the SMART check

        Each objective should be **SMART**: specific (it says what, in a few words),
        measurable (a metric and a target), achievable (its owner confirmed it is feasible
        with the planned resources), relevant (it serves a strategic objective of the
        organization) and time-bound (it has a deadline). `pmkit.smart_check` tests each
        criterion and lists what is missing.
    """),
    code("rp.show_table(pmkit.smart_check(prj))"),
    md("""
        ## Schedule and critical path

        `pmkit.schedule` computes early and late dates by the critical path method (Kelley &
        Walker 1959) on the project's working calendar. Total float is how many working days
        a task can slip without delaying the finish; tasks with none are **critical** (red in
        the Gantt chart).
    """),
    code("""
        sched = pmkit.schedule(prj)
        rp.note(f"Planned finish: {pmkit.project_finish(prj):%Y-%m-%d}")
    """),
    code("""
        from pmkit.charts import schedule as schedule_charts

        schedule_charts.gantt(sched, deadline=prj.deadline)
    """),
    code("rp.show_table(pmkit.critical_path(prj)[['task_id', 'name', 'duration_days', 'early_start', 'early_finish']])"),
    md("""
        ## Resources

        Demand of each role per week from the schedule against its capacity. Weeks above
        100 % utilization need leveling (`pmkit.level`), more people or a later start.
    """),
    code("""
        loading = pmkit.resource_loading(prj, sched)
        schedule_charts.resource_loading_chart(loading)
    """),
    md("""
        ## Resource leveling

        The critical-path dates assume unlimited people. `pmkit.level` moves tasks so that no
        person or role is loaded above its capacity on any day, searching thousands of
        schedules for the shortest (schedule generation schemes, justification and a genetic
        algorithm; `docs/leveling.md`). Below: the leveled finish against the critical-path
        finish, what could not be leveled and why, then, when leveling delays some task, the
        loads before and after, the leveled Gantt chart (red: the tasks that drive the
        leveled finish; grey: where each task would run without resource limits) and the
        delayed tasks. When it delays none, one sentence says so.
    """),
    code("""
        from pmkit.charts import leveling as leveling_charts

        lev = pmkit.level(prj, seed=1)
        rp.show_table(lev.summary())
    """),
    code('rp.show_table(lev.problems, empty="Every task could be leveled.")'),
    code("""
        from IPython.display import display

        nothing_delayed = leveling_charts.nothing_delayed_sentence(lev)
        if nothing_delayed:
            display(rp.note(nothing_delayed))
        else:
            display(leveling_charts.leveling_comparison(lev))
            display(rp.show_table(lev.delayed[['task_id', 'name', 'early_start', 'start', 'delay_days', 'driving']]))
    """),
    *HEALTH,
    md("""
        ## Cost baseline

        The time-phased budget: each task's budget spread over its working days at its
        planned (early) dates. A proposed project has no baseline yet, so
        `pmkit.planned_value` derives it from the current schedule and the task budgets
        (`pmkit.schedule_baseline`); once approved, this curve becomes the performance
        measurement baseline against which earned value is measured (PMBOK Guide).
    """),
    code("""
        from pmkit.charts import evm as evm_charts

        pv = pmkit.planned_value(prj, freq="M")
        rp.note(f"Planned cost (BAC) {pv['bac'].iloc[-1]:,.0f} over {len(pv)} months, from the "
                f"{pv.attrs['basis']}; project budget {prj.budget:,.0f}")
    """),
    code("evm_charts.s_curve(pmkit.s_curve_table(prj), title=f'{prj.project_id}: planned cost (S-curve)')"),
    code("rp.show_table(pv.rename(columns={'date': 'month end', 'pv': 'planned cost', 'pv_cumulative': 'cumulative'}))"),
    md("""
        ## Cost and schedule risk

        The risk register rates each risk by probability and impact. A Monte Carlo simulation
        (`pmkit.simulate`) draws durations from the three-point estimates and fires the risk
        events, giving the chance of finishing by a date or within the budget: plan on a
        percentile (P80 is common), not on the single deterministic date.
    """),
    code("""
        from pmkit.project import risk
        from pmkit.charts import montecarlo as mc_charts

        rp.show_table(risk.risk_register(prj)[['risk_id', 'description', 'probability', 'cost_impact',
                                               'schedule_impact_days', 'score', 'zone', 'emv_cost']])
    """),
    MONTE_CARLO,
    code("mc_charts.distribution_chart(mc, 'finish')"),
    code("rp.show_table(mc.chances())"),
]

# --------------------------------------------------------------------------- 02 monitoring
MONITORING = [
    md("""
        # Project monitoring

        Where an active project stands at its status date: how much of the planned work is
        done (earned value), what it cost, whether it is late (earned schedule), where it is
        heading, and which risks threaten it.
    """),
    parameters(data_path=DATA, project_id=("P01", "project to monitor (blank: the first active one)"),
               offline=OFFLINE, headline_path=HEADLINE, history_path=HISTORY),
    project_setup('("active", "on_hold")'),
    VERDICT,
    HEADLINE_PROJECT,
    md("""
        ## KPIs with red / amber / green status

        The project-management KPIs: on-time delivery, milestones, on-budget completion,
        meeting specifications (accepted deliverables) and client satisfaction, each against
        green and red thresholds.
    """),
    code("rp.show_table(pmkit.project_kpis(prj), rag_column='status')"),
    md("""
        ## Earned value and earned schedule

        Planned value (PV) is the budgeted cost of work scheduled, earned value (EV) the
        budgeted cost of work done, actual cost (AC) what it cost (PMBOK Guide). CPI = EV/AC
        and SPI = EV/PV; below 1 is bad. Earned schedule (Lipke 2003) turns EV into time: the
        date at which the plan expected today's EV, so SPI(t) stays meaningful late in the
        project. EAC forecasts the cost at completion, the forecast finish the end date
        (IEAC(t) with SPI(t)). Every other figure of `pmkit.earned_value` (variances, each EAC
        method, TCPI, the earned schedule in days) is in the appendix.
    """),
    code("""
        from IPython.display import display
        from pmkit.project.evm import EVM_SUMMARY_LABELS, SCHEDULE_COLUMNS, evm_summary

        evm = pmkit.earned_value(prj)
        if evm.empty:
            display(rp.note("No progress has been reported for this project yet: earned value, "
                            "earned schedule and forecasts start with the first status record.", "warning"))
        rp.show_table(evm_summary(prj, evm=evm), labels=EVM_SUMMARY_LABELS)
    """),
    code("""
        from pmkit.charts import evm as evm_charts

        evm_charts.s_curve(pmkit.s_curve_table(prj), title=f'{prj.project_id} {prj.name}: earned value S-curve')
    """),
    code("evm_charts.performance_trend(evm)"),
    md("""
        ## Schedule at the status date

        The remaining work rescheduled from the status date with the progress reported.
    """),
    code("""
        from pmkit.charts import schedule as schedule_charts

        schedule_charts.gantt(pmkit.schedule(prj), baseline=prj.baseline, status_date=prj.status_date,
                              deadline=prj.deadline)
    """),
    *HEALTH,
    md("""
        ## History: the updates, what changed and why the finish moved

        Every status update of the project is kept in a store (`pmkit history add`; the file
        beside the data). The trends show the forecast finish, float, SPI(t), CPI, BEI, the
        DCMA checks passed and risk exposure over the updates (`docs/history.md`). Then what
        changed between the last two updates (`pmkit.compare`, `pmkit diff`), and a windows
        analysis of every update (AACE 29R-03, MIP 3.3) that splits each month's finish
        movement into the effect of progress and the effect of plan revisions by the
        half-step (MIP 3.4; `docs/forensics.md`).
    """),
    code("""
        store, updates = rp.recorded_updates(data_path, prj.project_id, history_path)
        if len(updates) < 2:
            display(rp.note(f"{len(updates)} update of {prj.project_id} recorded in {store.path.name}: record "
                            "each status update with `pmkit history add DATA --as-of YYYY-MM-DD` to see trends, "
                            "changes and the windows analysis here.", "warning"))
    """),
    code("""
        from pmkit.charts import changes as change_charts
        from pmkit.charts import history as history_charts

        if len(updates) >= 2:
            display(history_charts.trend_chart(pmkit.project_trend(store, prj.project_id)))
    """),
    code("""
        if len(updates) >= 2:
            changed = pmkit.compare(updates[-2], updates[-1])
            display(rp.show_table(changed.summary[changed.summary['count'] > 0], empty='Nothing changed.'))
            display(rp.show_table(changed.changes, max_rows=20, empty='Nothing changed.'))
    """),
    code("""
        if len(updates) >= 2:
            windows = pmkit.windows_analysis(updates)
            display(change_charts.windows_waterfall(windows))
            display(rp.show_table(windows.windows[['window', 'from_status_date', 'to_status_date', 'from_finish',
                                                   'to_finish', 'progress_effect_days', 'revision_effect_days',
                                                   'total_effect_days', 'outcome', 'drivers']]))
    """),
    md("## Risks"),
    code("""
        from pmkit.project import risk
        from pmkit.charts import montecarlo as mc_charts
        from pmkit.charts import risk as risk_charts

        risk_charts.heat_map_chart(risk.heat_map(prj))
    """),
    code("rp.show_table(risk.top_risks(prj)[['risk_id', 'description', 'owner', 'strategy', 'score', 'zone', 'emv_cost', 'emv_days']])"),
    md("""
        ## Monte Carlo forecast of finish and cost

        The remaining work simulated from the status date: chances of meeting the deadline
        and the budget, and which tasks drive the uncertainty most (tornado).
    """),
    MONTE_CARLO,
    code("rp.show_table(mc.chances())"),
    code("mc_charts.distribution_chart(mc, 'finish')"),
    code("mc_charts.tornado_chart(mc)"),
    md("""
        ## Appendix: every earned value figure

        The whole `pmkit.earned_value` table per status date, for analysis and audit: first
        the cost figures (variances, every EAC method, ETC, VAC, TCPI), then the earned
        schedule in working days of the project calendar (Lipke 2003, 2009).
    """),
    code("rp.show_table(evm.drop(columns=list(SCHEDULE_COLUMNS)))"),
    code("rp.show_table(evm[['status_date', *SCHEDULE_COLUMNS]])"),
]

# --------------------------------------------------------------------------- 03 portfolio
PORTFOLIO = [
    md("""
        # Portfolio review

        The whole set of projects and candidates: how well the set serves the strategy,
        which projects give the most value for the money and people available, how risky the
        whole is, and how the running projects perform.
    """),
    parameters(data_path=DATA, offline=OFFLINE, headline_path=HEADLINE, history_path=HISTORY),
    code("""
        import pmkit
        from pmkit import rag
        from pmkit import reports as rp
        from pmkit.charts import portfolio as pch
        from pmkit.charts.render import setup_notebook
        from pmkit.portfolio import kpi as pk
        from pmkit.portfolio import prioritization as pfa
        from pmkit.portfolio import risk as pr
        from pmkit.project.kpi import all_project_kpis

        setup_notebook(offline)
        pf = pmkit.load(data_path)
        rp.portfolio_card(pf)
    """),
    md("""
        ## Verdict

        The portfolio's colour by the portfolio rule (`docs/rag.md`) with what set it, and the
        headline figures the report index shows. The sections below give the detail.
    """),
    code("rp.save_headline(headline_path, rp.portfolio_headline(pf))"),
    md("""
        The main sections hold the charts and the tables a portfolio board reads; every
        detail table (per project, per constraint, per month) is in the appendix at the end.

        ## Portfolio KPIs and dashboard

        Return on investment (from summed cash flows, never an average of ratios), strategic
        alignment (cost-weighted alignment index), resource utilization (demand / capacity),
        CPI and SPI rolled up from summed earned values, and risk exposure (EMV of open risks /
        budget), each rated in its band. The dashboard repeats the measures per program and
        project (`pmkit.portfolio_dashboard`); its last column is the colour of each project,
        program and the portfolio by the rule of its level (`pmkit.rag`), the same colour
        the index page and every report show. A project's colour is its delivery (project
        rule); whether it is the right project shows in its alignment and ROI cells. The
        rules and the reason for each colour are in the appendix.
    """),
    code("rp.show_table(pmkit.portfolio_kpis(pf), rag_column='status')"),
    code("""
        dash = pmkit.portfolio_dashboard(pf)
        pch.dashboard_chart(dash)
    """),
    md("""
        ### Trends over the status updates

        The same measures at every recorded update (`pmkit history`), rolled up per program
        and for the portfolio: sums first, then ratios; the worst finish slip and the smallest
        float of the members (`docs/history.md`).
    """),
    code("""
        from IPython.display import display
        from pmkit.charts import history as history_charts

        store, _ = rp.recorded_updates(data_path, None, history_path)
        if store.path.exists():
            display(history_charts.trend_chart(pmkit.portfolio_trend(store), title="Portfolio over the updates"))
            display(history_charts.trend_chart(pmkit.program_trend(store), title="Programs over the updates"))
        else:
            display(rp.note(f"No status updates are recorded in {store.path.name} yet: "
                            "`pmkit history add DATA --as-of YYYY-MM-DD` records one.", "warning"))
    """),
    md("""
        ### Program roll-up

        Budgets, earned value and cash flows summed per program, then the ratios from the sums.
    """),
    code("rp.show_table(pk.portfolio_rollup(pf)[['level', 'id', 'projects', 'budget', 'pv', 'ev', 'ac', 'cpi', 'spi', 'roi', 'npv', 'alignment_index', 'risk_exposure']])"),
    md("""
        ## Strategic alignment

        How strongly each project serves each strategic objective (scores 0-5, table
        `alignment`). The alignment index weights the scores by the objectives' weights
        (PMI, *Standard for Portfolio Management*). Does the money follow the strategy? Compare
        each objective's share of spend with its weight. Each project's index and rank are
        in the appendix.
    """),
    code("pch.alignment_heatmap(pmkit.alignment_matrix(pf))"),
    code("pch.spend_chart(pmkit.spend_by_objective(pf))"),
    md("""
        ## Weights of the strategic objectives (AHP)

        Managers compare the objectives two at a time (table `pairwise`); the Analytic
        Hierarchy Process turns the judgments into weights (principal eigenvector) and checks
        them: a consistency ratio above 0.10 means the judgments contradict each other and
        should be revisited, starting with the pairs listed in the appendix (Saaty 1980).
    """),
    code("""
        from IPython.display import display

        ahp = pmkit.ahp(pf.pairwise) if len(pf.pairwise) else None
        if ahp is not None:
            display(rp.note(f"Consistency ratio {ahp.consistency_ratio:.3f} "
                            f"({'consistent' if ahp.consistent else 'inconsistent: revisit the judgments'}), "
                            f"lambda max {ahp.lambda_max:.3f}", "info" if ahp.consistent else "warning"))
            display(rp.show_table(ahp.summary()[['item', 'weight', 'rank']]))
        else:
            display(rp.note("No pairwise comparisons (table 'pairwise'): the objectives' own weights are used."))
    """),
    md("""
        ## Weighted scoring and ranking

        Each project is scored on the criteria (table `criteria`, `scores`), each criterion
        min-max normalized, and the weighted sum ranks the projects. How robust the ranking
        is (`ranking_sensitivity`: the smallest weight change that changes the leader or swaps
        two neighbours, Triantaphyllou & Sanchez 1997; `rank_stability`: all weights
        perturbed at random by up to 20 %) is in the appendix.
    """),
    code("""
        if len(pf.criteria):
            values, weights = pfa.criteria_matrix(pf)
            display(rp.show_table(pmkit.weighted_scores(pf)))
        else:
            display(rp.note("No scoring criteria (table 'criteria'): projects are ranked by alignment only."))
    """),
    md("""
        ## Financials

        Net present value at the portfolio's discount rate, internal rate of return, payback,
        ROI and benefit-cost ratio per program and for the portfolio from the summed cash
        flows; the figures of each project are in the appendix.
    """),
    code("rp.show_table(pmkit.portfolio_financials(pf))"),
    md("""
        ## Selection under budget and capacity

        Which candidates (proposed, active and on-hold projects) give the most strategic
        value within each year's budget and each role's monthly capacity, respecting the
        dependencies between projects? `pmkit.select` solves this as a mixed-integer program
        and proves the optimum; for every project left out it says why, and what forcing it
        in would cost in value. The binding constraints are in the appendix.
    """),
    code("""
        sel = pmkit.select(pf)
        rp.note(f"{sel.status}: {len(sel.selected_ids)} of {len(sel.projects)} candidates selected, "
                f"value {sel.value:.3f}, cost {sel.cost:,.0f}")
    """),
    code("rp.show_table(sel.projects[['project_id', 'name', 'state', 'selected', 'value', 'cost', 'reason', 'value_lost_if_forced']])"),
    md("""
        ### Efficient frontier and the greedy order

        The best value at each budget level, beside what filling projects in priority order
        (as Microsoft Project's portfolio analysis does) would get; the gap is value lost.
    """),
    code("""
        front = pmkit.frontier(pf, 12)
        pch.frontier_chart(front)
    """),
    md("""
        ### Scenarios

        The same portfolio under other rules: maximizing NPV instead of alignment, a tighter
        budget, the greedy order. Each is measured on every yardstick; the projects each
        scenario selects are in the appendix.
    """),
    code("""
        cmp = pmkit.compare_scenarios(pf, {"alignment": {}, "npv": {"objective": "npv"},
                                           "budget -30 %": {"budget": 0.7 * sel.cost},
                                           "greedy": {"method": "greedy"}})
        rp.show_table(cmp.summary)
    """),
    md("""
        ## Capacity

        Demand of each role per month from the projects' plans against the capacity. Red
        outlines are months with more work than people; pale cells are under-used people.
    """),
    code("pch.capacity_heatmap(pmkit.capacity_plan(pf))"),
    md("""
        ## Portfolio risk

        A Monte Carlo simulation of the portfolio's cost and NPV: cost and benefit of every
        project vary (triangular), risks fire with their probabilities, and projects are
        correlated through a common and a program factor, so risk does not average away
        (Vose 2008). Then each project's value against its risk; how concentrated cost,
        value and risk are in one program (HHI) is in the appendix.
    """),
    code("""
        sim = pr.simulate_portfolio(pf, n=5000, correlation=0.3, program_correlation=0.2, seed=1)
        rp.show_table(sim.summary())
    """),
    code("pch.risk_value_chart(pr.risk_value(pf, sim))"),
    md("""
        ## Appendix

        The detail behind the sections above, in their order.

        ### Projects
    """),
    code("rp.show_table(pf.summary())"),
    md("### RAG rules and the reason for each colour"),
    code("rp.show_table(rag.rag_rules())"),
    code("rp.show_table(dash[['level', 'id', 'rag', 'rag_reason']], rag_column='rag', max_rows=100)"),
    md("### Alignment index per project"),
    code("rp.show_table(pmkit.alignment(pf)[['project_id', 'name', 'program_id', 'state', 'alignment_index', 'rank']])"),
    md("### AHP: the judgments that disagree most"),
    code("""
        if ahp is not None:
            display(rp.show_table(ahp.disagreements.head(5)))
        else:
            display(rp.note("No pairwise comparisons (table 'pairwise')."))
    """),
    md("### Ranking sensitivity and stability"),
    code("""
        if len(pf.criteria):
            display(rp.show_table(pmkit.ranking_sensitivity(values, weights)))
            display(rp.show_table(pfa.rank_stability(values, weights, spread=0.2)))
        else:
            display(rp.note("No scoring criteria (table 'criteria')."))
    """),
    md("### Financials per project"),
    code("rp.show_table(pmkit.financials(pf)[['project_id', 'cost', 'benefit', 'npv', 'irr', 'roi', 'bcr', 'payback_years', 'discounted_payback_years']])"),
    md("### Binding selection constraints"),
    code("rp.show_table(sel.constraints[sel.constraints['binding'] | (sel.constraints['blocking'] > 0)])"),
    md("### Efficient frontier"),
    code("rp.show_table(front[['budget', 'value', 'cost', 'selected', 'added', 'removed', 'greedy_value', 'value_lost_by_greedy']])"),
    md("### Projects per scenario"),
    code("rp.show_table(cmp.projects, max_rows=100)"),
    md("### Utilization per role"),
    code("rp.show_table(pmkit.utilization(pf))"),
    md("### Concentration of cost, value and risk"),
    code("rp.show_table(pr.concentration(pf))"),
    md("""
        ### Project KPIs of the running and finished projects

        The same project KPIs side by side for every project with progress; a portfolio
        manager looks for patterns (one program late, one kind of project over budget).
    """),
    code("rp.show_table(all_project_kpis(pf)[['project_id', 'name', 'state', 'kpi', 'value', 'unit', 'status']], rag_column='status', max_rows=200)"),
]

# --------------------------------------------------------------------------- 04 closing
CLOSING = [
    md("""
        # Project closing

        A finished project against its baseline: did it deliver on time, on budget, to
        specification and to the client's satisfaction, and what should the next project
        learn from it?
    """),
    parameters(data_path=DATA, project_id=("P06", "project to close (blank: the first closed one)"),
               offline=OFFLINE, headline_path=HEADLINE),
    project_setup('("closed",)'),
    VERDICT,
    HEADLINE_PROJECT,
    code("closing = pmkit.closing_summary(prj)"),
    md("## Final KPIs"),
    code("rp.show_table(closing.kpis, rag_column='status')"),
    md("""
        ## Against the baseline

        Finish date, duration and cost as planned at the baseline and as they turned out.
    """),
    code("rp.show_table(closing.variances)"),
    code("""
        from pmkit.charts import evm as evm_charts

        evm_charts.s_curve(pmkit.s_curve_table(prj), title=f'{prj.project_id} {prj.name}: earned value S-curve')
    """),
    md("## Deliverables and acceptance"),
    code("rp.show_table(prj.deliverables.drop(columns=['project_id']))"),
    md("""
        ## Lessons learned

        What went well and what did not, by area, with a recommendation for the next project.
    """),
    code("rp.show_table(closing.lessons_by_category)"),
    code("rp.show_table(closing.lessons)"),
]

# --------------------------------------------------------------------------- 00 teaching
TEACHING = [
    md("""
        # Project management and portfolio management

        Two disciplines look at the same organization with different questions:

        - **Project management** asks *are we doing this project right?* Its aim is to
          deliver one project: the agreed result, on time, within budget, to specification,
          to the satisfaction of the client.
        - **Portfolio management** asks *are we doing the right projects?* Its aim is the
          most value for the organization's strategy from the whole collection of projects
          and programs, with the money and people it has.

        This notebook looks at the sample organization through both lenses.
    """),
    parameters(data_path=DATA, project_id=("P01", "project to follow (blank: the first active one)"),
               offline=OFFLINE),
    code("""
        import pmkit
        from pmkit import reports as rp
        from pmkit.charts.render import setup_notebook
        from pmkit.portfolio.kpi import project_rags
        from pmkit.project.kpi import all_project_kpis

        setup_notebook(offline)
        pf = pmkit.load(data_path)
        prj = rp.pick_project(pf, project_id, ("active",))
        rp.portfolio_card(pf)
    """),
    md("""
        ## The project lens

        A project manager owns one project's scope, budget and timeline and works through its
        life cycle:

        1. **Define objectives** that are SMART: specific, measurable, achievable, relevant and
           time-bound.
        2. **Plan and schedule**: activities, their logic, durations, resources and costs.
        3. **Execute**: run the work day to day and manage the people and suppliers.
        4. **Monitor and control**: compare progress with the plan, handle risks and issues.
        5. **Close**: hand over the deliverables, record lessons learned, celebrate.

        A house, a software launch or a marketing campaign are typical projects.
    """),
    code("rp.project_card(prj)"),
    code("rp.show_table(pmkit.smart_check(prj))"),
    md("""
        Its success is judged by project KPIs: **on-time delivery**, **on-budget completion**,
        **meeting specifications** (deliverables accepted) and **client satisfaction**.
    """),
    code("rp.show_table(pmkit.project_kpis(prj), rag_column='status')"),
    md("""
        ## The portfolio lens

        A portfolio manager looks at the big picture. The work is:

        - **strategic alignment**: each project should contribute to the organization's
          strategic objectives;
        - **prioritization and selection**: choose the projects with the most value and fit;
        - **resource allocation**: spread budget, people and time across the portfolio;
        - **risk management** across all projects, not one at a time;
        - **performance measurement** of the whole, adjusting the mix as needed.

        Its KPIs are portfolio-wide: **return on investment**, **alignment with strategic
        goals**, **resource utilization** and **portfolio risk**.
    """),
    code("rp.show_table(pf.strategic_objectives)"),
    code("rp.show_table(pf.summary()[['project_id', 'name', 'program_id', 'state', 'budget']])"),
    md("""
        ## Side by side

        | | project management | portfolio management |
        |---|---|---|
        | goal | deliver one project successfully | most strategic value from all projects |
        | scope | one project's scope, budget, timeline | the collection of projects and programs |
        | activities | objectives, plan, execute, monitor, close | align, prioritize, allocate, manage risk, measure |
        | KPIs | on time, on budget, to specification, client satisfied | ROI, strategic alignment, resource use, portfolio risk |
        | question | doing the project right? | doing the right projects? |

        The same KPI table, for every project, is where the lenses meet: the portfolio
        manager reads the project managers' results together.
    """),
    code("rp.show_table(all_project_kpis(pf)[['project_id', 'name', 'kpi', 'status']], rag_column='status', max_rows=30)"),
    md("""
        Each running project's colour follows one rule, the project rule of `pmkit.rag`: the
        worst of its KPIs. The index page, the project reports and the portfolio dashboard
        all show this colour; the portfolio's own colour adds the portfolio KPIs to it.
    """),
    code("rp.show_table(project_rags(pf)[['project_id', 'state', 'rag', 'rag_reason']], rag_column='rag')"),
    md("""
        ## How they work together

        The disciplines depend on each other. The portfolio only earns its value if its
        projects are delivered well; and a project only matters if it serves the strategy.
        Two consequences you can try below:

        - **A late project moves portfolio KPIs.** Delay pays back later, so net present
          value falls; less work is done for the money, so the portfolio's SPI and CPI fall.
        - **A budget cut changes which projects run.** With less money the portfolio manager
          keeps the projects with the best value for money and defers or cancels the others;
          the project managers re-plan.

        ### A late project

        `pmkit.delay_effects` sets the project back by some working days
        (`pmkit.delay_project`: its earned schedule falls by the delay, its future cash flows
        move later) and shows its KPIs and the portfolio's before and after. The table is
        for a 10-day delay; in JupyterLab the slider below it lets you try others.
    """),
    code("rp.show_table(pmkit.delay_effects(pf, prj.project_id, 10), digits=3)"),
    code("""
        import ipywidgets as widgets
        from IPython.display import display


        def show_delay(days):
            display(rp.show_table(pmkit.delay_effects(pf, prj.project_id, days), digits=3))


        widgets.interact(show_delay, days=widgets.IntSlider(value=10, min=0, max=60, step=5, continuous_update=False,
                                                             description="Delay (days)"))
    """, "report-hide"),
    md("""
        ### A budget cut

        `pmkit.select` picks the candidates (proposed, active and on-hold projects) with the
        most strategic alignment that fit the budget and the people available. The table
        shows the selection at a few total budgets, with the projects added and dropped as
        the budget grows; in JupyterLab the slider re-selects at any budget.
    """),
    code("""
        total = float(pf.projects["budget"].sum())
        budgets = [round(total * share, -3) for share in (0.2, 0.4, 0.6, 0.8, 1.0)]
        rp.show_table(pmkit.budget_scenarios(pf, budgets))
    """),
    code("""
        def show_selection(budget):
            sel = pmkit.select(pf, budget=budget)
            display(rp.note(f"Budget {budget:,.0f}: {len(sel.selected_ids)} projects selected, "
                            f"alignment value {sel.value:.2f}, cost {sel.cost:,.0f}: {', '.join(sel.selected_ids)}"))
            display(rp.show_table(sel.projects[["project_id", "name", "state", "selected", "value", "cost", "reason"]]))


        widgets.interact(show_selection, budget=widgets.FloatSlider(
            value=budgets[2], min=budgets[0], max=budgets[-1], step=round(total * 0.05, -3),
            continuous_update=False, description="Budget", readout_format=",.0f"))
    """, "report-hide"),
    md("""
        ## Exercises

        1. Which of the project's objectives is not SMART, and what is missing?
        2. Which KPI of the project is the worst, and is that a project or a portfolio concern?
        3. Count the portfolio's red projects (project rule). Set `answer` below and run the check.
        4. Does the portfolio's return on investment (ROI) change when the project is 10 days
           late? Answer `"yes"` or `"no"`; then explain with the table above which KPI does
           move, and why (hint: ROI is undiscounted).
        5. How many projects does the portfolio run at 40 % of the total budget?
    """),
    code("""
        answer = None  # your count of running projects whose colour (worst KPI) is red
        rp.check_answer(answer, rp.portfolio_headline(pf)["figures"]["red projects (project rule)"])
    """),
    code("""
        answer = None  # "yes" or "no"
        roi = pmkit.delay_effects(pf, prj.project_id, 10).set_index("measure").loc["ROI", "change"]
        rp.check_answer(answer, "yes" if abs(roi) > 1e-9 else "no")
    """),
    code("""
        answer = None  # number of projects selected at 40 % of the total budget
        rp.check_answer(answer, pmkit.budget_scenarios(pf, [budgets[1]])["projects"].iloc[0])
    """),
]

NOTEBOOKS = {
    "00_project_vs_portfolio": ("Project management and portfolio management", TEACHING),
    "01_project_planning": ("Project planning", PLANNING),
    "02_project_monitoring": ("Project monitoring", MONITORING),
    "03_portfolio_review": ("Portfolio review", PORTFOLIO),
    "04_project_closing": ("Project closing", CLOSING),
}


def build(folder: Path = HERE) -> list[Path]:
    """Write every notebook into ``folder``; returns their paths."""
    paths = []
    for stem, (title, cells) in NOTEBOOKS.items():
        nb = notebook(title, [nbf.from_dict(c) for c in cells], stem)
        nbf.validate(nb)
        path = folder / f"{stem}.ipynb"
        nbf.write(nb, path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build():
        print(p)
