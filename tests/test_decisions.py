"""The decisions store: per-site overrides that survive sessions and become training labels."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

import detector
from detector.decisions import DecisionStore, apply_decisions, default_home, profile_key
from detector.errors import InputError
from detector.signals.target import TargetSite
from tests.conftest import SAMPLES


def test_saved_decisions_are_loaded_per_profile_and_survive_reopening(tmp_path):
    path = tmp_path / "d.sqlite"
    store = DecisionStore(path)
    store.save("site-a.com", "spam.example.xyz", "disavow", verdict="suspicious")
    store.save("site-a.com", "Good-News.com", "KEEP")
    store.save("site-b.com", "good-news.com", "disavow")
    reopened = DecisionStore(path)
    assert reopened.load("site-a.com") == {"example.xyz": "disavow", "good-news.com": "keep"}
    assert reopened.load("site-b.com") == {"good-news.com": "disavow"}
    assert reopened.load("site-c.com") == {}


def test_a_later_decision_replaces_an_earlier_one_and_clear_forgets_it(tmp_path):
    store = DecisionStore(tmp_path / "d.sqlite")
    store.save("s.com", "x.test", "keep")
    store.save("s.com", "x.test", "disavow")
    assert store.load("s.com") == {"x.test": "disavow"}
    assert store.clear("s.com", "x.test") is True
    assert store.clear("s.com", "x.test") is False
    assert store.load("s.com") == {}


def test_bad_decisions_and_domains_are_refused(tmp_path):
    store = DecisionStore(tmp_path / "d.sqlite")
    with pytest.raises(InputError, match="neither 'keep' nor 'disavow'"):
        store.save("s.com", "x.test", "maybe")
    with pytest.raises(InputError, match="not a domain"):
        store.save("s.com", "", "keep")
    assert store.load("s.com") == {}


def test_home_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKDETECTOR_HOME", str(tmp_path / "elsewhere"))
    assert default_home() == tmp_path / "elsewhere"
    store = DecisionStore()
    assert store.path == tmp_path / "elsewhere" / "decisions.sqlite"
    assert store.path.exists()


def test_profile_key_is_the_registrable_domain_of_the_site():
    assert profile_key("https://shop.velora-bikes.co.uk/x") == "velora-bikes.co.uk"
    assert profile_key(TargetSite.from_domain("www.velora-bikes.com")) == "velora-bikes.com"
    assert profile_key(None) == ""


def test_labels_export_is_read_by_the_training_label_reader(tmp_path):
    from detector.model.labels import labels_from_csv

    store = DecisionStore(tmp_path / "d.sqlite")
    when = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    # the verdict disagrees with the decision: the decision must be the label
    store.save("s.com", "spam.test", "disavow", verdict="fine", now=when)
    store.save("s.com", "friend.test", "keep", verdict="toxic", now=when)
    out = tmp_path / "labels.csv"
    text = store.export_labels("s.com", out)
    assert text.splitlines()[0] == "domain,decision,verdict_when_decided,decided_at"
    assert "2026-03-01T12:00:00+00:00" in text
    labels = labels_from_csv(out)
    assert labels.to_dict() == {"spam.test": 1.0, "friend.test": 0.0}


def test_applied_decisions_override_verdicts_in_the_disavow_file(tmp_path):
    audit = detector.audit_exports([SAMPLES / "ahrefs_backlinks_utf8.csv"], offline=True)
    toxic = sorted(audit.domains.query("verdict == 'toxic'")["domain"])
    fine = sorted(audit.domains.query("verdict == 'fine'")["domain"])
    store = DecisionStore(tmp_path / "d.sqlite")
    store.save_many("velora-bikes.com", {toxic[0]: "keep", fine[0]: "disavow"})
    domains = apply_decisions(audit.domains, store.load("velora-bikes.com"))
    assert domains[domains["decision"].notna()]["domain"].tolist() == sorted([toxic[0], fine[0]],
                                                                             key=domains["domain"].tolist().index)
    listed = set(detector.disavow_for(domains).file.domains)
    assert toxic[0] not in listed and fine[0] in listed and set(toxic[1:]) <= listed
    assert pd.isna(domains.loc[domains["domain"] == toxic[1], "decision"]).all()
