"""Build the Northwind Group sample portfolio (``data/samples/northwind`` and ``northwind.xlsx``).

Deterministic: the same script gives the same files. Run from the repository root::

    .venv/bin/python data/samples/build_northwind.py

The organization is fictional. Its plans are written from phase templates per kind of
project (IT, construction, marketing, R&D); baselines come from pmkit's own scheduler;
progress, costs, surveys and deliverables are simulated from each project's "health"
(schedule and cost performance factors), so the data is internally consistent: a late
project really finishes its tasks late, an over-budget one really spends more.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import pmkit  # noqa: E402
from pmkit.data.calendars import Calendar

OUT = ROOT / "data" / "samples"
PORTFOLIO_STATUS_DATE = pd.Timestamp("2026-10-30")
RNG = np.random.default_rng(20261030)

HOLIDAYS = [
    # fixed-date and Easter-based public holidays 2025-2029
    *(f"{y}-01-01" for y in range(2025, 2030)), *(f"{y}-05-01" for y in range(2025, 2030)),
    *(f"{y}-12-25" for y in range(2025, 2030)), *(f"{y}-12-26" for y in range(2025, 2030)),
    "2025-04-18", "2025-04-21", "2026-04-03", "2026-04-06", "2027-03-26", "2027-03-29",
    "2028-04-14", "2028-04-17", "2029-03-30", "2029-04-02",
    "2025-05-29", "2026-05-14", "2027-05-06", "2028-05-25", "2029-05-10",  # Ascension
]

ROLES = [
    ("PM", "Project manager", 950), ("BA", "Business analyst", 780), ("ARC", "Solution architect", 1050),
    ("DEV", "Developer", 720), ("QA", "Test engineer", 640), ("DATA", "Data engineer", 820),
    ("CIV", "Civil engineer", 880), ("CREW", "Site crew", 520), ("ELEC", "Electrician", 600),
    ("MKT", "Marketing specialist", 680), ("DES", "Designer", 700), ("RES", "Research scientist", 980),
    ("LAB", "Lab technician", 560),
]

PEOPLE = {
    "PM": ["Amara Okafor", "Lukas Brandt", "Sofia Marques", "Kenji Watanabe"],
    "BA": ["Ines Duarte", "Tom Halvorsen", "Nadia Haddad", "Oskar Berg", "Lucía Fernández"],
    "ARC": ["Priya Raman", "Olek Nowak", "Jean-Luc Martin"],
    "DEV": ["Chen Wei", "Maja Lindqvist", "Diego Alvarez", "Fatima Zahra", "Jonas Weber", "Aiko Sato",
            "Tomás Silva", "Emma Virtanen"],
    "QA": ["Ravi Menon", "Elif Demir", "Kwame Mensah", "Julia Nowak"],
    "DATA": ["Hannah Schulz", "Mateo Rossi", "Sven Olsen"],
    "CIV": ["Grace Mwangi", "Pierre Dubois", "Hiroshi Tanaka", "Marta Kowalska"],
    "CREW": ["Site crew A", "Site crew B", "Site crew C"],
    "ELEC": ["Volt & Sons electricians"],
    "MKT": ["Zoë Laurent", "Noah Fischer", "Léa Moreau", "Ahmed Karim"],
    "DES": ["Björn Åkesson", "Ana Ribeiro", "Chloé Petit"],
    "RES": ["Dr. Yusuf Kaya", "Dr. Mei Lin", "Dr. Sara Costa"],
    "LAB": ["Lab team 1", "Lab team 2"],
}

# phase templates: (phase name, [(task name, duration days, role, milestone?)])
TEMPLATES = {
    "IT": [
        ("Initiation", [("Project charter", 5, "PM"), ("Stakeholder analysis", 4, "BA"), ("Kick-off", 0, "PM")]),
        ("Analysis", [("Current-state review", 8, "BA"), ("Requirements workshops", 10, "BA"),
                      ("Non-functional requirements", 6, "ARC"), ("Requirements specification", 8, "BA"),
                      ("Requirements signed off", 0, "PM")]),
        ("Design", [("Solution architecture", 10, "ARC"), ("Data model", 8, "DATA"), ("UX design", 12, "BA"),
                    ("Integration design", 8, "ARC"), ("Security review", 5, "ARC"), ("Design approved", 0, "PM")]),
        ("Build", [("Configure platform", 20, "DEV"), ("Develop integrations", 25, "DEV"),
                   ("Develop reports", 15, "DEV"), ("Data migration scripts", 15, "DATA"),
                   ("Unit testing", 12, "QA"), ("Technical documentation", 10, "DEV"), ("Build complete", 0, "PM")]),
        ("Test", [("Test plan", 5, "QA"), ("System testing", 15, "QA"), ("Performance testing", 8, "QA"),
                  ("User acceptance testing", 15, "BA"), ("Defect fixing", 12, "DEV"), ("Go/no-go decision", 0, "PM")]),
        ("Deploy", [("End-user training", 10, "BA"), ("Data migration", 5, "DATA"), ("Cutover", 3, "DEV"),
                    ("Go-live", 0, "PM"), ("Hypercare", 20, "DEV"), ("Legacy system support", 10, "DEV")]),
        ("Closing", [("Lessons learned workshop", 2, "PM"), ("Project closed", 0, "PM")]),
    ],
    "construction": [
        ("Initiation", [("Feasibility study", 15, "CIV"), ("Site survey", 10, "CIV"), ("Permit application", 10, "CIV"),
                        ("Permit granted", 0, "PM")]),
        ("Design", [("Concept design", 20, "CIV"), ("Structural calculations", 15, "CIV"), ("Detailed design", 25, "CIV"),
                    ("Tender documents", 10, "CIV"), ("Contractor selection", 20, "PM"), ("Contract signed", 0, "PM")]),
        ("Site works", [("Site preparation", 10, "CREW"), ("Excavation", 15, "CREW"), ("Drainage", 10, "CREW"),
                        ("Foundations", 20, "CREW"), ("Ground slab", 12, "CREW"), ("Ground works complete", 0, "PM")]),
        ("Structure", [("Steel frame", 25, "CREW"), ("Roof", 15, "CREW"), ("Facade", 20, "CREW"),
                       ("Building envelope closed", 0, "PM")]),
        ("Fit-out", [("Electrical installation", 25, "ELEC"), ("HVAC installation", 20, "ELEC"),
                     ("Temporary power supply", 10, "ELEC"), ("Plumbing", 15, "CREW"),
                     ("Fire protection", 10, "ELEC"), ("Interior finishing", 20, "CREW"), ("Racking installation", 15, "CREW"),
                     ("Fit-out complete", 0, "PM")]),
        ("Commissioning", [("Systems commissioning", 10, "ELEC"), ("Safety inspection", 3, "CIV"), ("Snagging", 10, "CREW"),
                           ("Handover", 0, "PM")]),
    ],
    "marketing": [
        ("Strategy", [("Market research", 15, "MKT"), ("Brand audit", 10, "MKT"), ("Positioning workshop", 3, "MKT"),
                      ("Strategy approved", 0, "PM")]),
        ("Creative", [("Creative brief", 5, "MKT"), ("Concept development", 12, "DES"), ("Copywriting", 10, "MKT"),
                      ("Visual identity", 15, "DES"), ("Creative approved", 0, "PM")]),
        ("Production", [("Video production", 20, "DES"), ("Photo shoot", 5, "DES"), ("Website update", 15, "DEV"),
                        ("Print materials", 10, "DES"), ("Media buying", 10, "MKT"), ("Assets ready", 0, "PM")]),
        ("Launch", [("Launch event", 5, "MKT"), ("Digital campaign wave 1", 20, "MKT"), ("Run current campaign", 10, "MKT"),
                    ("PR outreach", 15, "MKT"), ("Digital campaign wave 2", 20, "MKT"), ("Campaign live", 0, "PM")]),
        ("Evaluation", [("Campaign analytics", 10, "MKT"), ("Brand tracking survey", 15, "MKT"), ("Final report", 0, "PM")]),
    ],
    "R&D": [
        ("Research", [("Literature and patent review", 15, "RES"), ("Concept generation", 10, "RES"),
                      ("Feasibility experiments", 25, "LAB"), ("Concept selected", 0, "PM")]),
        ("Prototype", [("Cell chemistry tests", 30, "LAB"), ("Module design", 20, "RES"), ("Prototype build A", 20, "LAB"),
                       ("Prototype test A", 15, "LAB"), ("Prototype build B", 20, "LAB"), ("Prototype test B", 15, "LAB"),
                       ("Prototype accepted", 0, "PM")]),
        ("Validation", [("Safety testing", 20, "LAB"), ("Thermal testing", 15, "LAB"), ("Certification preparation", 15, "RES"),
                        ("Design freeze", 0, "PM")]),
        ("Industrialization", [("Pilot line setup", 25, "DEV"), ("Pilot production", 20, "LAB"), ("Quality audit", 5, "RES"),
                               ("Interim supplier contract", 10, "RES"),
                               ("Patent filing", 10, "RES"), ("Transfer to production", 0, "PM")]),
    ],
}

PROGRAMS = [
    ("DCX", "Digital Customer Experience", "Sofia Marques", "Chief Digital Officer"),
    ("OPS", "Operations & Infrastructure", "Lukas Brandt", "Chief Operating Officer"),
    ("GRW", "Market Growth", "Amara Okafor", "Chief Marketing Officer"),
    ("INN", "Product Innovation", "Kenji Watanabe", "Chief Technology Officer"),
]

# id, name, program, kind, state, start, health (schedule factor, cost factor), extra build phases, client, description
PROJECTS = [
    ("P01", "CRM Replacement", "DCX", "IT", "active", "2026-01-12", (1.00, 1.00), 1, "Sales & Service division",
     "Replace the legacy CRM with a cloud platform."),
    ("P02", "Customer Portal 2.0", "DCX", "IT", "active", "2026-02-02", (0.78, 1.02), 1, "Retail customers",
     "Self-service portal for orders, invoices and returns."),
    ("P03", "Data Warehouse Migration", "DCX", "IT", "active", "2025-11-03", (0.98, 1.22), 0, "Finance & BI",
     "Move the on-premise warehouse to a cloud lakehouse."),
    ("P04", "Rotterdam Distribution Center", "OPS", "construction", "active", "2025-09-01", (0.82, 1.18), 0,
     "Logistics division", "New 40,000 m² distribution center."),
    ("P05", "HQ Energy Retrofit", "OPS", "construction", "active", "2026-03-02", (1.03, 0.97), 0, "Facilities",
     "Heat pumps, insulation and LED lighting at headquarters."),
    ("P06", "Brand Relaunch 2025", "GRW", "marketing", "closed", "2025-01-13", (0.95, 1.06), 0, "Group marketing",
     "Relaunch of the Northwind brand across all channels."),
    ("P07", "Nordic Market Entry", "GRW", "marketing", "active", "2026-04-06", (0.93, 0.99), 0, "Nordic sales team",
     "Launch campaign for Sweden, Norway and Denmark."),
    ("P08", "Solid-State Battery Module", "INN", "R&D", "active", "2025-12-01", (0.97, 1.25), 0, "E-mobility unit",
     "Prototype and pilot line for a solid-state battery module."),
    ("P09", "AI Demand Forecasting", "INN", "IT", "proposed", "2027-02-01", None, 0, "Supply chain",
     "Machine-learning demand forecasts for 12,000 SKUs."),
    ("P10", "Warehouse Robotics Pilot", "OPS", "construction", "proposed", "2027-04-05", None, 0, "Logistics division",
     "Autonomous mobile robots in the new distribution center."),
    ("P11", "Loyalty Program", "GRW", "marketing", "proposed", "2027-01-11", None, 0, "Retail customers",
     "Points-based loyalty program <b>with</b> partner offers & co-branding."),
    ("P12", "Solar Carport", "OPS", "construction", "proposed", "2027-03-01", None, 0, "Facilities",
     "Solar carport with EV chargers at headquarters."),
    ("P13", "Mobile App Rewrite", "DCX", "IT", "proposed", "2027-01-18", None, 0, "Retail customers",
     "Native rewrite of the customer app."),
    ("P14", "ERP Upgrade", "DCX", "IT", "on_hold", "2026-06-01", (0.9, 1.05), 0, "Finance",
     "Upgrade of the ERP core; on hold pending vendor roadmap."),
    ("P15", "Accessibility Compliance (EAA)", "DCX", "IT", "proposed", "2027-01-04", None, 0, "All customers",
     "Make every customer channel comply with the European Accessibility Act."),
    ("P16", "Fax Gateway Replacement", "DCX", "IT", "cancelled", "2026-02-16", None, 0, "Customer service",
     "Cancelled: made obsolete by the portal."),
]

MANAGERS = {"DCX": ["Sofia Marques", "Kenji Watanabe"], "OPS": ["Lukas Brandt"], "GRW": ["Amara Okafor"],
            "INN": ["Kenji Watanabe"]}

STRATEGIC = [
    ("GROW", "Grow digital revenue", "Double online revenue by 2029."),
    ("COST", "Lower cost to serve", "Cut operating cost per order by 15%."),
    ("CX", "Excellent customer experience", "Reach an NPS of +40."),
    ("SUST", "Sustainability", "Net-zero operations by 2030."),
    ("INNO", "Technology leadership", "Own the key technologies of our products."),
]
# Saaty-scale judgements: GROW vs COST 2, GROW vs CX 1, GROW vs SUST 3, GROW vs INNO 3, ...
PAIRWISE = [("GROW", "COST", 2), ("GROW", "CX", 1), ("GROW", "SUST", 3), ("GROW", "INNO", 3),
            ("COST", "CX", 1 / 2), ("COST", "SUST", 2), ("COST", "INNO", 2),
            ("CX", "SUST", 3), ("CX", "INNO", 3), ("SUST", "INNO", 1)]

ALIGN = {  # project -> scores GROW, COST, CX, SUST, INNO (0-5)
    "P01": (4, 3, 4, 0, 1), "P02": (5, 2, 5, 0, 1), "P03": (2, 4, 1, 1, 3), "P04": (3, 5, 3, 2, 1),
    "P05": (0, 3, 0, 5, 1), "P06": (4, 0, 3, 1, 0), "P07": (5, 0, 2, 0, 0), "P08": (3, 0, 1, 4, 5),
    "P09": (2, 4, 2, 1, 4), "P10": (1, 5, 1, 1, 4), "P11": (4, 0, 4, 0, 0), "P12": (0, 2, 1, 5, 1),
    "P13": (4, 1, 5, 0, 2), "P14": (0, 4, 0, 0, 1), "P15": (1, 0, 4, 0, 0), "P16": (0, 1, 1, 0, 0),
}

# predecessor -> successor of the start-to-finish link every plan has
SF_LINKS = {"Cutover": "Legacy system support", "Electrical installation": "Temporary power supply",
            "Launch event": "Run current campaign", "Pilot production": "Interim supplier contract"}
# non-labour cost (materials, subcontracts, media, licences) as a multiple of labour cost
NON_LABOUR = {"IT": 0.4, "construction": 9.0, "marketing": 2.5, "R&D": 1.2}

CRITERIA = [("FIT", "Strategic fit", 0.35, True), ("URG", "Urgency", 0.2, True),
            ("RISK", "Delivery risk", 0.25, False), ("FEAS", "Technical feasibility", 0.2, True)]


def build_plan(pid: str, kind: str, extra_build: int, rng: np.random.Generator):
    """Tasks and dependencies from the phase template: two parallel work streams per phase."""
    phases = [list(p) for p in TEMPLATES[kind]]
    for k in range(extra_build):  # a second release repeats the build phase
        build_idx = [i for i, p in enumerate(phases) if p[0] == "Build"][0]
        phases.insert(build_idx + 1, (f"Build release {k + 2}", [(f"{n} (R{k + 2})", d, r) if d else
                                                                  (f"Release {k + 2} complete", 0, r)
                                                                  for n, d, r in phases[build_idx][1]]))
    tasks, links = [], []
    prev_end = None
    n = 0
    for ph_i, (phase, items) in enumerate(phases, start=1):
        work = [it for it in items if it[1] > 0]
        ms = [it for it in items if it[1] == 0]
        ids = []
        for j, (name, dur, role) in enumerate(work, start=1):
            n += 1
            tid = f"T{n:03d}"
            d = float(max(1, round(dur * rng.uniform(0.8, 1.25))))
            if rng.random() < 0.15:
                d += 0.5
            o = round(d * rng.uniform(0.7, 0.9), 1)
            p = round(d * rng.uniform(1.2, 1.8), 1)
            cal = "site" if kind == "construction" and role == "CREW" and phase in ("Site works", "Structure") else ""
            tasks.append(dict(task_id=tid, name=name, wbs=f"{ph_i}.{j}", duration_days=d, optimistic_days=o,
                              most_likely_days=d, pessimistic_days=p, milestone=False, role=role, calendar_id=cal))
            ids.append(tid)
        # two streams: even positions chain in stream A, odd positions in stream B
        stream_a, stream_b = ids[0::2], ids[1::2]
        for s in (stream_a, stream_b):
            for a, b in zip(s[:-1], s[1:], strict=False):
                links.append((a, b, "FS", 0.0))
        if prev_end is not None:
            # lead: phase work may start two days before the previous phase formally ends
            links.append((prev_end, stream_a[0], "FS", -2.0 if rng.random() < 0.3 else 0.0))
            if stream_b:
                links.append((prev_end, stream_b[0], "FS", 0.0))
        if stream_b and len(stream_a) > 1:
            # overlap: stream B's second task starts 3 days after stream A's first starts
            links.append((stream_a[0], stream_b[-1], "SS", 3.0))
        if len(stream_a) > 1 and stream_b:
            # documentation/testing finishes with (or shortly after) the main work
            links.append((stream_a[-1], stream_b[-1], "FF", 2.0))
        n += 1
        ms_id = f"T{n:03d}"
        ms_name = ms[0][0] if ms else f"{phase} complete"
        tasks.append(dict(task_id=ms_id, name=ms_name, wbs=f"{ph_i}.{len(work) + 1}", duration_days=0.0,
                          optimistic_days=0.0, most_likely_days=0.0, pessimistic_days=0.0, milestone=True,
                          role=ms[0][2] if ms else "PM", calendar_id=""))
        # dict, not set: the order of the links must not depend on string hashing
        for last in dict.fromkeys([stream_a[-1], stream_b[-1] if stream_b else stream_a[-1]]):
            links.append((last, ms_id, "FS", 0.0))
        # start-to-finish: an interim arrangement may only end once its replacement has started
        for t in tasks:
            if t["task_id"] in ids and t["name"] in SF_LINKS.values():
                pred_name = [k for k, v in SF_LINKS.items() if v == t["name"]][0]
                pred = [x["task_id"] for x in tasks if x["name"] == pred_name]
                if pred:
                    links.append((pred[0], t["task_id"], "SF", 0.0))
        prev_end = ms_id
    tdf = pd.DataFrame(tasks)
    tdf.insert(0, "project_id", pid)
    # a later, more specific link between the same pair replaces an earlier generic one
    ldf = pd.DataFrame(links, columns=["predecessor_id", "successor_id", "type", "lag_days"]).drop_duplicates(
        ["predecessor_id", "successor_id"], keep="last")
    ldf.insert(0, "project_id", pid)
    return tdf, ldf


def early_dates(project: pmkit.Project) -> pd.DataFrame:
    """Early start/finish per task from pmkit's scheduler (approximation until it exists)."""
    try:
        from pmkit.project.scheduling import schedule
    except ImportError:
        from pmkit.data.synth import _approx_early_start

        es = _approx_early_start(project.tasks, project.dependencies)
        dur = project.tasks["duration_days"].to_numpy()
        origin = np.datetime64(project.start_date.date())
        cal = project.calendar
        return pd.DataFrame({"early_start": pd.to_datetime(cal.offset_to_date(origin, es)),
                             "early_finish": pd.to_datetime(cal.offset_to_date(origin, np.maximum(es + dur - 1e-9, es)))},
                            index=project.tasks["task_id"])
    return schedule(project).set_index("task_id")


def capacity_from_demand(pf: pmkit.Portfolio) -> pd.DataFrame:
    """Role capacity per month sized like a real organization's: enough for the busy-month median
    of open projects' demand (75th percentile), so the busiest months are over-allocated."""
    from pmkit.portfolio.capacity import role_demand

    demand = role_demand(pf).groupby(["role_id", "month"])["demand_days"].sum().reset_index()
    window = demand[(demand["month"] >= "2026-01-01") & (demand["month"] < "2028-07-01")]
    level = window.groupby("role_id")["demand_days"].quantile(0.75)
    months = pd.date_range("2025-01-01", "2028-12-01", freq="MS")
    rows = [(r, m, float(np.ceil(level.get(r, 5.0)))) for r in ROLES_DF["role_id"] for m in months]
    return pd.DataFrame(rows, columns=["role_id", "month", "capacity_days"])


def main() -> None:
    cal_std = Calendar("standard", "Office (Mon-Fri)", holidays=tuple(HOLIDAYS))
    cal_site = Calendar("site", "Construction site (Mon-Sat)", (True,) * 6 + (False,), tuple(HOLIDAYS))
    calendars = {"standard": cal_std, "site": cal_site}
    rate = {r: c for r, _, c in ROLES}
    global ROLES_DF
    ROLES_DF = pd.DataFrame(ROLES, columns=["role_id", "name", "cost_rate_per_day"])
    people = [(f"{r}{i + 1:02d}", name, r) for r, names in PEOPLE.items() for i, name in enumerate(names)]
    resources = pd.DataFrame(people, columns=["resource_id", "name", "role_id"])
    resources["capacity_units"] = 1.0
    resources.loc[resources["role_id"].isin(["CREW", "ELEC", "LAB"]), "capacity_units"] = 4.0
    people_by_role = resources.groupby("role_id")["resource_id"].apply(list).to_dict()
    person_capacity = resources.set_index("resource_id")["capacity_units"]

    all_t, all_l, all_a, all_b, all_s, all_r, all_d, all_sv, all_le, all_o, all_cf = ([] for _ in range(11))
    proj_rows = []
    for (pid, name, prog, kind, state, start, health, extra, client, desc) in PROJECTS:
        rng = np.random.default_rng(int(pid[1:]) * 7919)
        tasks, links = build_plan(pid, kind, extra, rng)
        units = np.where(tasks["milestone"], 0.0, rng.choice([1.0, 1.0, 0.5, 2.0], len(tasks)))
        labour = tasks["duration_days"] * units * tasks["role"].map(rate)
        tasks["budget_cost"] = np.round(labour * (1 + NON_LABOUR[kind] * rng.uniform(0.6, 1.4, len(tasks))), 2)
        asg = tasks.loc[~tasks["milestone"], ["project_id", "task_id", "role"]].rename(columns={"role": "role_id"})
        asg["units"] = units[~tasks["milestone"].to_numpy()]
        named = rng.random(len(asg)) < 0.5
        asg["resource_id"] = [str(rng.choice(people_by_role[r])) if nm else "" for r, nm in zip(asg["role_id"], named, strict=True)]
        # a named person works at most at their own capacity (2 units of one person cannot be
        # levelled); larger demands are role assignments
        person_cap = asg["resource_id"].map(person_capacity)
        asg["units"] = np.where(person_cap.notna(), np.minimum(asg["units"], person_cap), asg["units"])
        # a named resource brings its role; keep role too for clarity
        mgr = MANAGERS[prog][int(pid[1:]) % len(MANAGERS[prog])]
        budget = float(tasks["budget_cost"].sum())
        project = pmkit.Project(project_id=pid, name=name, start_date=pd.Timestamp(start), calendar=cal_std,
                                calendars=calendars, tasks=tasks.drop(columns=["role"]), dependencies=links,
                                assignments=asg, roles=ROLES_DF, resources=resources, validate=True)
        sched = early_dates(project)
        bl = pd.DataFrame({"project_id": pid, "task_id": tasks["task_id"],
                           "baseline_start": tasks["task_id"].map(sched["early_start"]).dt.normalize(),
                           "baseline_finish": tasks["task_id"].map(sched["early_finish"]).dt.normalize(),
                           "baseline_cost": tasks["budget_cost"]})
        finish = bl["baseline_finish"].max()
        deadline = cal_std.add_working_days(np.datetime64(finish.date()), 15)
        status_date = None
        finish_date = None
        if state in ("active", "closed", "on_hold"):
            all_b.append(bl)
            sf, cf = health
            end = PORTFOLIO_STATUS_DATE
            if state == "closed":
                end = finish + pd.Timedelta(days=int((finish - pd.Timestamp(start)).days * (1 / sf - 1))) + pd.Timedelta(days=20)
            if state == "on_hold":
                end = pd.Timestamp("2026-09-30")
            months = pd.date_range(pd.Timestamp(start) + pd.offsets.BMonthEnd(1), end, freq="BME")
            t0 = pd.Timestamp(start)
            bs = (bl["baseline_start"] - t0).dt.days.to_numpy()
            bf = (bl["baseline_finish"] - t0).dt.days.to_numpy() + 1
            per_task = rng.normal(1.0, 0.06, len(bl))
            if sf >= 1.0:  # a project on track finishes its work (and milestones) by the baseline dates
                per_task = per_task.clip(0.9, 1.0)
            a_s = t0 + pd.to_timedelta(np.round(bs / sf), unit="D")
            a_f = t0 + pd.to_timedelta(np.round(np.maximum(bf / sf * per_task, bs / sf)), unit="D")
            # actual dates fall on working days: starts roll forward, finishes back (never before the start)
            a_s = pd.Series(pd.to_datetime(cal_std.add_working_days(a_s.values, 0, roll="forward")))
            a_f = pd.Series(pd.to_datetime(cal_std.add_working_days(a_f.values, 0, roll="backward")))
            a_f = a_f.where(a_f >= a_s, a_s)
            a_f = a_f.where(~tasks["milestone"].to_numpy(), a_s)  # a milestone takes no time
            cost_noise = rng.normal(1.0, 0.05, len(bl)).clip(0.85, 1.2)
            for d in months:
                frac = ((d - a_s) / (a_f - a_s).where(a_f > a_s, pd.Timedelta(days=1))).to_numpy().astype(float)
                frac = np.clip(frac, 0, 1)
                started = (a_s <= d).to_numpy()
                frac = np.where(started, frac, 0.0)
                ms = tasks["milestone"].to_numpy()
                frac[ms] = (a_f[ms] <= d).astype(float)
                done = frac >= 1
                rows = pd.DataFrame({
                    "project_id": pid, "status_date": d, "task_id": tasks["task_id"],
                    "percent_complete": np.round(frac * 100, 0),
                    "actual_start": a_s.dt.normalize().where(started),
                    "actual_finish": a_f.dt.normalize().clip(upper=d).where(done),
                    "actual_cost": np.round(tasks["budget_cost"].to_numpy() * frac * cf * cost_noise, 2),
                })
                all_s.append(rows[started])
            status_date = months[-1]
            if state == "closed":
                finish_date = a_f.max().normalize()
        proj_rows.append(dict(project_id=pid, name=name, program_id=prog, kind=kind, manager=mgr,
                              sponsor=dict((p[0], p[3]) for p in PROGRAMS)[prog], client=client, state=state,
                              start_date=pd.Timestamp(start), status_date=status_date,
                              deadline=pd.Timestamp(str(deadline)), finish_date=finish_date,
                              budget=round(budget * 1.08, -3), calendar_id="standard",
                              priority=float(sum(ALIGN[pid])), description=desc,
                              forced="in" if pid == "P15" else ""))
        all_t.append(tasks.drop(columns=["role"]))
        all_l.append(links)
        all_a.append(asg[["project_id", "task_id", "resource_id", "role_id", "units"]])
        # cash flows: monthly cost along the baseline, benefits for three years after finish
        months_span = pd.period_range(bl["baseline_start"].min(), finish, freq="M")
        benefit_rate = {"IT": 0.05, "construction": 0.022, "marketing": 0.06, "R&D": 0.035}[kind]
        benefit_rate *= {"P16": 0.2, "P14": 0.6, "P15": 0.25}.get(pid, 1.0) * rng.uniform(0.8, 1.3)
        for per in months_span:
            all_cf.append((pid, per.start_time, round(budget / len(months_span), 2), 0.0))
        for j in range(1, 37):
            all_cf.append((pid, (months_span[-1] + j).start_time, 0.0, round(budget * benefit_rate, 2)))
        # risks
        cats = {"IT": ["technical", "vendor", "organizational", "data"], "construction": ["permits", "weather", "supply chain", "contractor"],
                "marketing": ["market", "creative", "vendor"], "R&D": ["technical", "regulatory", "supply chain"]}[kind]
        risk_texts = {
            "IT": ["Vendor API changes break integrations", "Key developer leaves mid-build", "Legacy data quality worse than assumed",
                   "Security findings delay go-live", "Users resist the new process", "Cloud costs exceed estimate"],
            "construction": ["Permit decision delayed by objections", "Steel prices rise", "Winter frost stops site works",
                             "Soil contamination found", "Main contractor insolvency", "Crane availability"],
            "marketing": ["Campaign concept rejected by board", "Media prices rise in Q4", "Competitor launches first",
                          "Influencer contract falls through"],
            "R&D": ["Cell chemistry fails thermal test", "Certification rules change", "Supplier cannot deliver electrolyte",
                    "Patent conflict", "Pilot line equipment late"],
        }[kind]
        nonms = tasks.loc[~tasks["milestone"], "task_id"].to_numpy()
        for k, text in enumerate(risk_texts[: 4 + int(rng.integers(0, 3))], start=1):
            closed = state == "closed" or (state == "active" and rng.random() < 0.25)
            all_r.append(dict(project_id=pid, risk_id=f"R{k}", description=text, category=cats[k % len(cats)],
                              probability=round(float(rng.choice([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])), 2),
                              cost_impact=float(round(budget * rng.uniform(0.01, 0.08), -2)),
                              schedule_impact_days=float(rng.integers(3, 25)), task_id=str(rng.choice(nonms)),
                              owner=mgr, strategy=str(rng.choice(["mitigate", "mitigate", "transfer", "accept", "avoid"])),
                              response="See risk response plan", status="closed" if closed else "open",
                              identified_date=pd.Timestamp(start) + pd.Timedelta(days=int(rng.integers(0, 60))),
                              closed_date=(status_date if closed and status_date is not None else pd.NaT)))
        # deliverables at milestones
        ms_rows = tasks[tasks["milestone"]]
        for k, (tid, mname) in enumerate(zip(ms_rows["task_id"], ms_rows["name"], strict=True), start=1):
            due = bl.set_index("task_id").loc[tid, "baseline_finish"]
            delivered = accepted = None
            if state in ("active", "closed", "on_hold"):
                sf = health[0]
                t_del = pd.Timestamp(start) + (due - pd.Timestamp(start)) / sf
                if t_del <= (status_date or PORTFOLIO_STATUS_DATE):
                    delivered = t_del.normalize()
                    accepted = bool(rng.random() < (0.92 if health[1] < 1.1 else 0.75))
            all_d.append(dict(project_id=pid, deliverable_id=f"D{k}", name=f"{mname}: deliverable package",
                              due_date=due, delivered_date=delivered, accepted=accepted, task_id=tid))
        # satisfaction surveys each quarter of execution
        if state in ("active", "closed", "on_hold"):
            base = 4.3 - 2.5 * (1 - health[0]) - 2.0 * max(0, health[1] - 1)
            for q in pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=80), status_date, freq="QE"):
                for who in ("Sponsor", "Key user", "Operations lead"):
                    sat = float(np.clip(round(rng.normal(base, 0.5)), 1, 5))
                    all_sv.append(dict(project_id=pid, survey_date=q, respondent=who, satisfaction=sat,
                                       recommend=float(np.clip(round(sat * 2 + rng.normal(0, 1)), 0, 10)),
                                       comment=""))
        # SMART objectives (some deliberately incomplete so the SMART check has something to say)
        goal = {"IT": ("Users on the new platform", "active users", "95% of staff"),
                "construction": ("Building handed over to operations", "handover certificate", "signed"),
                "marketing": ("Aided brand awareness in target markets", "awareness survey", "+10 points"),
                "R&D": ("Module energy density", "Wh/kg", ">= 400 Wh/kg")}[kind]
        all_o.append(dict(project_id=pid, objective_id="O1", what=goal[0], metric=goal[1], target=goal[2],
                          deadline=pd.Timestamp(finish), owner=mgr, achievable=True,
                          strategic_objective_id=max(zip(ALIGN[pid], [s[0] for s in STRATEGIC], strict=True))[1]))
        all_o.append(dict(project_id=pid, objective_id="O2", what="Deliver within the approved budget",
                          metric="EAC / BAC", target="<= 1.00", deadline=pd.Timestamp(finish), owner=mgr,
                          achievable=None if int(pid[1:]) % 3 == 0 else True, strategic_objective_id="COST"))
        if int(pid[1:]) % 4 == 1:
            all_o.append(dict(project_id=pid, objective_id="O3", what="Improve collaboration", metric="", target="",
                              deadline=pd.NaT, owner="", achievable=None, strategic_objective_id=""))
        if state == "closed":
            for k, (cat, text, rec, imp) in enumerate([
                ("planning", "Creative approval took three rounds instead of one.", "Agree approval criteria in the brief.", "negative"),
                ("vendors", "Media agency delivered ahead of schedule.", "Keep the framework contract.", "positive"),
                ("communication", "Weekly sponsor check-ins caught scope creep early.", "Keep a fixed weekly slot.", "positive"),
                ("estimating", "Video production was underestimated by 30%.", "Use three-point estimates for creative work.", "negative"),
                ("risk", "Q4 media price rise was on the register and budgeted.", "Keep contingency for seasonal prices.", "positive"),
                ("quality", "One print batch rejected for colour mismatch.", "Require press proofs.", "negative"),
            ], start=1):
                all_le.append(dict(project_id=pid, lesson_id=f"L{k}", category=cat, description=text,
                                   recommendation=rec, impact=imp))
        if pid == "P04":
            all_le.append(dict(project_id=pid, lesson_id="L1", category="permits",
                               description="Neighbour objections added 6 weeks to the permit.",
                               recommendation="Hold a public information evening before applying.", impact="negative"))

    projects = pd.DataFrame(proj_rows)
    cash = pd.DataFrame(all_cf, columns=["project_id", "period_start", "cost", "benefit"])
    cash = cash.groupby(["project_id", "period_start"], as_index=False).sum()
    yearly = cash[cash["project_id"].isin(projects.loc[projects["state"] != "cancelled", "project_id"])].groupby(
        cash["period_start"].dt.year)["cost"].sum()
    budgets = pd.DataFrame({"year": [2025, 2026, 2027, 2028, 2029],
                            "budget": [round(float(yearly.get(y, 0)) * f, -4) for y, f in
                                       zip([2025, 2026, 2027, 2028, 2029], [1.0, 1.0, 0.7, 0.75, 0.8], strict=True)]})
    scores = []
    for pid in projects["project_id"]:
        r2 = np.random.default_rng(int(pid[1:]))
        for cid, _, _, _ in CRITERIA:
            scores.append((pid, cid, float(r2.integers(1, 6))))
    cal_rows, hol_rows = zip(*(c.to_frame() for c in calendars.values()), strict=True)
    hol = pd.concat(hol_rows, ignore_index=True)
    hol["name"] = "Public holiday"
    pf = pmkit.Portfolio(
        portfolio=pd.DataFrame([{"name": "Northwind Group", "currency": "EUR", "discount_rate": 0.08,
                                 "fiscal_year_start_month": 1,
                                 "description": "Fictional retailer & logistics group: sample data for pmkit."}]),
        programs=pd.DataFrame([{"program_id": a, "name": b, "manager": c, "sponsor": d} for a, b, c, d in PROGRAMS]),
        projects=projects, tasks=pd.concat(all_t, ignore_index=True),
        dependencies=pd.concat(all_l, ignore_index=True), calendars=pd.concat(cal_rows, ignore_index=True),
        holidays=hol, roles=ROLES_DF,
        resources=resources, assignments=pd.concat(all_a, ignore_index=True),
        baseline=pd.concat(all_b, ignore_index=True), status=pd.concat(all_s, ignore_index=True),
        risks=pd.DataFrame(all_r), deliverables=pd.DataFrame(all_d), surveys=pd.DataFrame(all_sv),
        lessons=pd.DataFrame(all_le), objectives=pd.DataFrame(all_o),
        strategic_objectives=pd.DataFrame([{"objective_id": a, "name": b, "weight": 1.0, "description": c}
                                           for a, b, c in STRATEGIC]),
        pairwise=pd.DataFrame(PAIRWISE, columns=["objective_a", "objective_b", "value"]),
        alignment=pd.DataFrame([(p, s[0], float(v)) for p, vals in ALIGN.items() for s, v in zip(STRATEGIC, vals, strict=True)],
                               columns=["project_id", "objective_id", "score"]),
        criteria=pd.DataFrame(CRITERIA, columns=["criterion_id", "name", "weight", "higher_is_better"]),
        scores=pd.DataFrame(scores, columns=["project_id", "criterion_id", "score"]),
        cash_flows=cash, budgets=budgets,
        relations=pd.DataFrame([("P13", "requires", "P01"), ("P10", "requires", "P04"), ("P11", "requires", "P01"),
                                ("P12", "excludes", "P05"), ("P09", "requires", "P03")],
                               columns=["project_id", "relation", "other_project_id"]),
    )
    pf = pf.with_tables(capacity=capacity_from_demand(pf))
    pmkit.save(pf, OUT / "northwind", overwrite=True)
    pmkit.save(pf, OUT / "northwind.xlsx", overwrite=True)
    print(pf)


if __name__ == "__main__":
    main()
