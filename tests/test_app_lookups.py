"""Lookups from the app, against a synthetic world served on loopback.

The app reads its network configuration from ``$LINKDETECTOR_NETWORK`` (a JSON file of
``NetworkConfig`` fields), so the test points it at the served world's DNS, RDAP, WHOIS
and HTTP servers without the app knowing it talks to a simulation.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from detector.ui.runs import RUNS
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def served(served_small_world):
    exports, _ = served_small_world
    return exports["ahrefs_backlinks_utf8.csv"].read_bytes()


def _run_lookups(data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.file_uploader(key="exports").set_value([("world.csv", data, "text/csv")])
    at.run()
    at.radio(key="lookup_mode").set_value("With DNS, registration and page lookups").run()
    at.button(key="run_lookups").click().run()
    assert not at.exception, at.exception
    return at


def test_lookups_run_from_the_app_and_a_new_session_reads_the_cache(served):
    at = _run_lookups(served)
    done = [s.value for s in at.success if s.value.startswith("Lookups done")]
    assert done and "requests" in done[0]
    first_calls = int(done[0].split("(")[1].split()[0].replace(",", ""))
    assert first_calls > 0

    RUNS.clear()  # a new session: nothing in memory, only the lookup cache on disk
    again = _run_lookups(served)
    done = [s.value for s in again.success if s.value.startswith("Lookups done")]
    assert done and done[0].startswith("Lookups done (0 requests")
