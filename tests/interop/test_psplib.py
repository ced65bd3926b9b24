"""PSPLIB reader on small .sm texts written here (never copies of the public files)."""

from __future__ import annotations

import numpy as np
import pytest

from pmkit.errors import PmkitError
from pmkit.interop.psplib import parse_psplib, read_psplib, read_psplib_instance

# 4 real jobs between dummy source 1 and sink 6; two resources with 3 and 2 units.
SMALL = """\
************************************************************************
file with basedata            : tiny.bas
initial value random generator: 1
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  6
horizon                       :  10
RESOURCES
  - renewable                 :  2   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PROJECT INFORMATION:
pronr.  #jobs rel.date duedate tardcost  MPM-Time
    1      4      0        7        3        6
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           5
   4        1          1           6
   5        1          1           6
   6        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1  R 2
------------------------------------------------------------------------
  1      1     0       0    0
  2      1     2       2    0
  3      1     3       2    1
  4      1     4       0    2
  5      1     1       3    0
  6      1     0       0    0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1  R 2
    3    2
************************************************************************
"""


def test_instance_arrays():
    inst = parse_psplib(SMALL, "tiny.sm")
    assert inst.n_jobs == 6
    assert inst.durations.tolist() == [0, 2, 3, 4, 1, 0]
    assert [s.tolist() for s in inst.successors] == [[1, 2], [3], [4], [5], [5], []]
    assert inst.demands.tolist() == [[0, 0], [2, 0], [2, 1], [0, 2], [3, 0], [0, 0]]
    assert inst.capacities.tolist() == [3, 2]
    assert (inst.horizon, inst.mpm_time, inst.due_date) == (10, 6, 7)
    pred, succ = inst.edges
    assert list(zip(pred.tolist(), succ.tolist(), strict=True)) == [
        (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)]


def test_project_mapping(tmp_path):
    f = tmp_path / "tiny.sm"
    f.write_text(SMALL)
    prj = read_psplib(f, start="2025-03-01")
    assert prj.project_id == "tiny"
    assert prj.tasks["task_id"].tolist() == ["J1", "J2", "J3", "J4", "J5", "J6"]
    assert prj.tasks["duration_days"].tolist() == [0, 2, 3, 4, 1, 0]
    assert prj.tasks["milestone"].tolist() == [True, False, False, False, False, True]
    assert set(prj.dependencies["type"]) == {"FS"} and (prj.dependencies["lag_days"] == 0).all()
    assert len(prj.dependencies) == 6
    res = prj.resources.set_index("resource_id")["capacity_units"].to_dict()
    assert res == {"R1": 3.0, "R2": 2.0}
    a = prj.assignments.set_index(["task_id", "resource_id"])["units"].to_dict()
    assert a == {("J2", "R1"): 2.0, ("J3", "R1"): 2.0, ("J3", "R2"): 1.0, ("J4", "R2"): 2.0,
                 ("J5", "R1"): 3.0}
    # every day is a working day: periods map to consecutive dates (1 March 2025 is a Saturday)
    assert prj.calendar.is_working_day(["2025-03-01", "2025-03-02"]).all()
    assert not prj.calendar.holidays


def test_errors_name_file_and_line(tmp_path):
    bad = SMALL.replace("   3        1          1           5", "   3        1          2           5")
    with pytest.raises(PmkitError, match=r"tiny.sm, line 21: job 3 announces 2 successors"):
        parse_psplib(bad, "tiny.sm")
    multi = SMALL.replace("   2        1          1           4", "   2        3          1           4")
    with pytest.raises(PmkitError, match="3 modes"):
        parse_psplib(multi, "tiny.sm")
    over = SMALL.replace("  5      1     1       3    0", "  5      1     1       4    0")
    with pytest.raises(PmkitError, match="job 5 demands more"):
        parse_psplib(over, "tiny.sm")
    with pytest.raises(PmkitError, match="cannot read"):
        read_psplib_instance(tmp_path / "missing.sm")
    with pytest.raises(PmkitError, match="PRECEDENCE RELATIONS"):
        parse_psplib(SMALL.split("PRECEDENCE")[0], "cut.sm")


def test_nonrenewable_columns_ignored():
    text = SMALL.replace("  - nonrenewable              :  0   N", "  - nonrenewable              :  1   N")
    text = text.replace("jobnr. mode duration  R 1  R 2", "jobnr. mode duration  R 1  R 2  N 1")
    text = text.replace("  2      1     2       2    0", "  2      1     2       2    0    7")
    inst = parse_psplib(text, "nr.sm")
    assert inst.demands.shape == (6, 2)
    assert np.array_equal(inst.demands[1], [2, 0])
