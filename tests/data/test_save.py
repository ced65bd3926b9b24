"""pmkit.save is atomic: a failure leaves the previous data exactly as it was; existing data
is replaced only when asked; permissions and the user's other files survive."""

from __future__ import annotations

import errno
import os
import stat

import pytest

import pmkit
from pmkit.data import io as pio
from pmkit.errors import PmkitError


@pytest.fixture(scope="module")
def pf():
    return pmkit.synth.portfolio(3, 12, seed=4)


@pytest.fixture(scope="module")
def other():
    return pmkit.synth.portfolio(4, 9, seed=7)


def _snapshot(folder):
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()}


def _leftovers(parent):
    return [f.name for f in parent.iterdir() if f.name.startswith(".")]


def test_new_folder_and_workbook_get_default_permissions_not_0600(pf, tmp_path):
    umask = os.umask(0o022)
    try:
        folder = pmkit.save(pf, tmp_path / "pf")
        book = pmkit.save(pf, tmp_path / "pf.xlsx")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert {stat.S_IMODE(f.stat().st_mode) for f in folder.iterdir()} == {0o644}
    assert stat.S_IMODE(book.stat().st_mode) == 0o644
    assert pmkit.load(folder).tasks.shape == pf.tasks.shape == pmkit.load(book).tasks.shape
    assert _leftovers(tmp_path) == []


def test_existing_data_is_kept_unless_overwrite(pf, other, tmp_path):
    folder = pmkit.save(pf, tmp_path / "pf")
    before = _snapshot(folder)
    with pytest.raises(PmkitError, match=r"exists; pass overwrite=True"):
        pmkit.save(other, folder)
    assert _snapshot(folder) == before
    pmkit.save(other, folder, overwrite=True)
    assert len(pmkit.load(folder).projects) == len(other.projects) != len(pf.projects)


@pytest.mark.parametrize("name", ["out.csv", "old.xls", "plan.json"])
def test_a_suffix_that_is_not_a_pmkit_format_is_refused(pf, tmp_path, name):
    with pytest.raises(PmkitError, match=r"folder of CSV files .* or as an \.xlsx workbook"):
        pmkit.save(pf, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_wrong_kind_in_the_way_gets_a_clear_error(pf, tmp_path):
    (tmp_path / "pf").write_text("not a folder")
    with pytest.raises(PmkitError, match="is a file, not a folder"):
        pmkit.save(pf, tmp_path / "pf", overwrite=True)
    (tmp_path / "book.xlsx").mkdir()
    with pytest.raises(PmkitError, match="is a folder, not a workbook"):
        pmkit.save(pf, tmp_path / "book.xlsx", overwrite=True)


def test_read_only_data_is_not_replaced(pf, other, tmp_path):
    book = pmkit.save(pf, tmp_path / "pf.xlsx")
    before = book.read_bytes()
    book.chmod(0o444)
    with pytest.raises(PmkitError, match=r"read-only \(mode 444\)"):
        pmkit.save(other, book, overwrite=True)
    assert book.read_bytes() == before


def test_replacing_keeps_permissions_and_the_users_other_files(pf, other, tmp_path):
    folder = pmkit.save(pf, tmp_path / "pf")
    (folder / "notes.txt").write_text("keep me")
    (folder / "attachments").mkdir()
    (folder / "attachments" / "a.pdf").write_bytes(b"%PDF")
    (folder / "tasks.csv").chmod(0o640)
    folder.chmod(0o750)
    pmkit.save(other, folder, overwrite=True)
    assert (folder / "notes.txt").read_text() == "keep me" and (folder / "attachments" / "a.pdf").exists()
    assert stat.S_IMODE((folder / "tasks.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750
    book = pmkit.save(pf, tmp_path / "shared.xlsx")
    book.chmod(0o664)
    pmkit.save(other, book, overwrite=True)
    assert stat.S_IMODE(book.stat().st_mode) == 0o664
    assert _leftovers(tmp_path) == []


def test_a_full_disk_mid_save_leaves_the_previous_folder_exactly(pf, other, tmp_path, monkeypatch):
    folder = pmkit.save(pf, tmp_path / "pf")
    before = _snapshot(folder)
    real, calls = pio.atomic_write_text, []

    def fails_on_the_fourth_table(path, text, **kw):
        calls.append(path)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, text, **kw)

    monkeypatch.setattr(pio, "atomic_write_text", fails_on_the_fourth_table)
    with pytest.raises(PmkitError, match="No space left on device; the previous data is unchanged"):
        pmkit.save(other, folder, overwrite=True)
    assert _snapshot(folder) == before
    assert len(pmkit.load(folder).projects) == len(pf.projects)
    assert _leftovers(tmp_path) == []


def test_a_failed_workbook_save_leaves_the_previous_workbook(pf, other, tmp_path, monkeypatch):
    book = pmkit.save(pf, tmp_path / "pf.xlsx")
    before = book.read_bytes()

    def disk_full(tables, path):
        with open(path, "wb") as fh:
            fh.write(b"PK partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pio, "_write_workbook", disk_full)
    with pytest.raises(PmkitError, match="No space left"):
        pmkit.save(other, book, overwrite=True)
    assert book.read_bytes() == before and _leftovers(tmp_path) == []


def test_folder_swap_without_renameat2_falls_back_to_renames(pf, other, tmp_path, monkeypatch):
    import ctypes

    def no_libc(*args, **kwargs):
        raise OSError("no libc here")

    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    folder = pmkit.save(pf, tmp_path / "pf")
    pmkit.save(other, folder, overwrite=True)
    assert len(pmkit.load(folder).projects) == len(other.projects)
    assert _leftovers(tmp_path) == []


def test_write_mspdi_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    from pmkit.interop.mspdi import write_mspdi

    prj = pmkit.synth.project(8, seed=2, progress=None)
    out = write_mspdi(prj, tmp_path / "plan.xml")
    out.chmod(0o664)
    write_mspdi(prj, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o664


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "+1+1", "-2-2", "\tx"]


def _with_formula_names(seed: int = 5):
    pf = pmkit.synth.portfolio(2, 8, seed=seed)
    tasks = pf.tasks.copy()
    tasks.loc[tasks.index[: len(FORMULAS)], "name"] = FORMULAS
    return pf.with_tables(tasks=tasks)


def test_cli_csv_neutralizes_formula_text_but_not_numbers(tmp_path, capsys):
    import io

    import pandas as pd

    from pmkit.cli import main

    pf = _with_formula_names()
    folder = pmkit.save(pf, tmp_path / "pf")
    pid = str(pf.tasks["project_id"].iloc[0])
    assert main(["schedule", str(folder), "--project", pid, "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False, dtype=str)
    shown = set(out["name"])
    mine = set(pf.tasks.loc[pf.tasks["project_id"].astype(str) == pid, "name"]) & set(FORMULAS)
    assert mine and {"'" + f for f in mine} <= shown and not mine & shown
    assert not any(v[:1] in "=+-@\t" for v in shown)
    # numbers keep their sign: a negative float column is not text
    assert main(["evm", str(pmkit.sample_path()), "--project", "P04", "--format", "csv"]) == 0
    evm = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert (evm["cv"] < 0).any() and pd.api.types.is_float_dtype(evm["cv"])


def test_workbook_marks_formula_text_as_text_and_round_trips_it(tmp_path):
    import openpyxl

    pf = _with_formula_names()
    book = pmkit.save(pf, tmp_path / "pf.xlsx")
    ws = openpyxl.load_workbook(book)["tasks"]
    col = [c.value for c in ws[1]].index("name") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    flagged = {c.value for c in cells if c.quotePrefix}
    assert set(FORMULAS) <= flagged and all(c.data_type == "s" for c in cells)
    assert set(FORMULAS) <= set(pmkit.load(book).tasks["name"])


def test_csv_folder_neutralizes_formula_text_and_reads_it_back_unchanged(tmp_path):
    pf = _with_formula_names()
    folder = pmkit.save(pf, tmp_path / "pf")
    raw = (folder / "tasks.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in raw and "\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw
    assert "'@SUM(A1:A9)" in raw and "'-2-2" in raw
    back = pmkit.load(folder).tasks
    assert set(FORMULAS) <= set(back["name"])
    assert back["name"].tolist() == pf.tasks["name"].tolist()
    # numbers are not text: a negative lag stays a number, no apostrophe
    assert "'-" not in (folder / "dependencies.csv").read_text(encoding="utf-8")
