"""End-to-end: the app in a real browser (Debian chromium driven by Playwright).

Starts ``streamlit run app.py`` on 127.0.0.1 (a free port, bounded wait for readiness),
uploads the bundled Ahrefs sample, keeps the riskiest toxic domain, downloads
disavow.txt and checks its content, and saves a screenshot of the review page (to
``docs/screenshots/review.png`` for the README when LINKDETECTOR_SCREENSHOTS=1). Chromium comes from apt (``.ci/run``);
``playwright install`` is never used. Without chromium the test FAILS when ``CI`` is set
and skips with the reason otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Screenshots go to a temporary folder; with LINKDETECTOR_SCREENSHOTS=1 they refresh the
#: ones in docs/screenshots/ that the README shows (so a test run leaves the tree clean).
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOT = (DOCS_SCREENSHOTS if os.environ.get("LINKDETECTOR_SCREENSHOTS") == "1"
              else Path(tempfile.mkdtemp(prefix="linkdetector-shots-"))) / "review.png"  # summary.png beside it
SAMPLE = ROOT / "data" / "samples" / "ahrefs_backlinks_utf8.csv"
READY_TIMEOUT_S = 60
UI_TIMEOUT_MS = 120_000  # generous: a loaded 2-core CI machine; a real hang still fails


def _need_chromium() -> None:
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return
    message = f"{CHROMIUM} is missing: install Debian 'chromium' (apt-get install -y chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def app_url(tmp_path):
    """``streamlit run app.py`` on 127.0.0.1; yields its URL, kills it afterwards."""
    port = free_port()
    env = dict(os.environ, LINKDETECTOR_HOME=str(tmp_path / "home"), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise AssertionError(f"streamlit exited with {process.returncode}: "
                                     f"{(tmp_path / 'streamlit.log').read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"streamlit not ready after {READY_TIMEOUT_S} s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _riskiest_toxic() -> tuple[str, list[str]]:
    """The domain the review page opens on (riskiest first) and every toxic domain."""
    import detector

    domains = detector.audit_exports([SAMPLE], offline=True).domains
    ordered = domains.sort_values(["probability", "domain"], ascending=[False, True])
    toxic = ordered[ordered["verdict"] == "toxic"]["domain"].tolist()
    assert toxic, "the sample must have toxic domains"
    assert ordered["domain"].iloc[0] == toxic[0]
    return toxic[0], toxic


def test_upload_override_download_in_chromium(app_url, tmp_path):
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright

    kept, toxic = _riskiest_toxic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)  # expect() has its own 5 s default
            page.goto(app_url)
            expect(page.get_by_text("Start by uploading")).to_be_visible()

            page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(SAMPLE))
            expect(page.get_by_text("ahrefs_backlinks").first).to_be_visible()  # detected format, shown at once

            expect(page.get_by_text("Anchor-text mix")).to_be_visible()  # the summary tab opens first
            expect(page.locator("[data-testid='stMetric']")).to_have_count(5)
            expect(page.locator(".vega-embed")).to_have_count(4)
            page.wait_for_timeout(800)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT.with_name("summary.png")), full_page=True)

            page.get_by_role("tab", name="Review").click()
            expect(page.get_by_text(f"{kept} — toxic")).to_be_visible()
            page.get_by_text("Keep (never disavow)").click()
            expect(page.get_by_text("1 decision(s) of yours")).to_be_visible()
            expect(page.get_by_role("checkbox", name="Keep (never disavow)")).to_be_checked()
            # the picture for the README: the top of the review page, tall enough for table and details
            page.set_viewport_size({"width": 1440, "height": 1900})
            page.evaluate("document.querySelectorAll('[data-testid=stMain], section.main')"
                          ".forEach(e => e.scrollTo(0, 0)); window.scrollTo(0, 0)")
            page.wait_for_timeout(800)  # let the table and charts settle
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

            page.get_by_role("tab", name="Downloads").click()
            expect(page.get_by_text("What changes")).to_be_visible()
            with page.expect_download() as info:
                page.get_by_role("button", name="Download disavow.txt").click()
            target = tmp_path / "disavow.txt"
            info.value.save_as(target)
        finally:
            browser.close()

    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# Generated by linkdetector")
    entries = {line for line in lines if line and not line.startswith("#")}
    assert f"domain:{kept}" not in entries  # the person's keep wins over the toxic verdict
    assert {f"domain:{d}" for d in toxic[1:]} <= entries
    assert SCREENSHOT.stat().st_size > 10_000
