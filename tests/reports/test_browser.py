"""The sample reports opened in headless Chromium with the network cut off.

Checks that every page loads without console errors or network requests, that every
chart drew (an inline SVG with mark elements), and that hostile names show as text. A
screenshot of each page is kept in ``test-artifacts/reports/``.

Chromium is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it). Without it the
tests are skipped, saying so; with ``PMKIT_REQUIRE_BROWSER=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_report_support import XSS, hostile_project_id, sample_reports

from pmkit import reports as rp

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PMKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _need_browser(reason: str):
    if os.environ.get("PMKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (PMKIT_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium to run them)")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _need_browser(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need_browser("the playwright package is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def run() -> rp.ReportRun:
    return sample_reports()


def _open(browser, url: str, shot: Path | None = None) -> dict:
    """Load a page offline; return its console errors, network requests and chart facts."""
    ctx = browser.new_context(offline=True, java_script_enabled=True, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.on("dialog", lambda d: (errors.append(f"dialog opened: {d.message}"), d.dismiss()))
    page.goto(url, wait_until="load")
    facts = page.evaluate("""() => {
        const charts = [...document.querySelectorAll('.jp-RenderedSVG svg')];
        return {
          charts: charts.length,
          // drawn: Vega produced axes, legends or marks; no_data: not a single data mark
          undrawn: charts.filter(s => s.querySelectorAll('[class*="role-"] > *').length === 0).length,
          no_data: charts.filter(s => s.querySelectorAll('[class*="role-mark"] > *').length === 0).length,
          sizes: charts.map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }),
          text: document.body.innerText,
          broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length,
        };
    }""")
    if shot is not None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    ctx.close()
    return {"errors": errors, "requests": requests, **facts}


def test_every_report_draws_offline_without_errors(browser, run):
    done = run.results[run.results["status"] == "ok"]
    assert not done.empty
    total_charts = no_data = 0
    for row in done.itertuples():
        page = _open(browser, (run.out_dir / row.html).as_uri(), ARTIFACTS / f"{row.report_id}.png")
        assert page["errors"] == [], f"{row.html}: console errors {page['errors']}"
        assert page["requests"] == [], f"{row.html}: network requests {page['requests']}"
        assert page["undrawn"] == 0, f"{row.html}: {page['undrawn']} of {page['charts']} charts did not draw"
        if page["no_data"]:  # e.g. a tornado of a finished project: drawn, but nothing to show
            print(f"note: {row.html}: {page['no_data']} chart(s) drawn without data marks")
        no_data += page["no_data"]
        assert all(w > 50 and h > 30 for w, h in page["sizes"]), f"{row.html}: a chart has no size"
        assert page["broken_images"] == 0
        assert row.name in page["text"] or row.kind == "portfolio"
        total_charts += page["charts"]
    print(f"{len(done)} reports, {total_charts} charts drawn, {no_data} without data marks")
    assert no_data < total_charts / 4, "most charts are empty: the data did not reach them"


def test_hostile_names_show_as_text_and_run_nothing(browser, run):
    pid = hostile_project_id(sample_reports.__globals__["_CACHE"]["portfolio"])
    page = _open(browser, (run.out_dir / f"{rp.report_id('project', pid)}.html").as_uri())
    assert XSS in page["text"]            # visible as literal text ...
    assert page["errors"] == []           # ... and no dialog opened, no script ran


def test_index_links_every_report_and_shows_rag(browser, run):
    page = _open(browser, (run.out_dir / "index.html").as_uri(), ARTIFACTS / "index.png")
    assert page["errors"] == [] and page["requests"] == []
    for row in run.results.itertuples():
        assert row.report_id in page["text"]
    assert XSS in page["text"]
