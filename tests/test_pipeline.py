"""audit_exports offline on the samples: the default model judges, reasons quote evidence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from detector.pipeline import audit_exports, judge

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
EXPORTS = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".csv", ".zip", ".xlsx"})


def test_offline_audit_is_judged_by_the_shipped_model_with_quoted_evidence():
    audit = audit_exports(EXPORTS, offline=True)
    domains = audit.domains.set_index("domain")
    assert domains["model_version"].str.startswith("default-").all()
    gambling = audit.evidence.set_index("domain")["terms_gambling"].fillna("")
    flagged = domains.index[domains["verdict"].isin(["toxic", "suspicious"])]
    quoted = [d for d in flagged if gambling.get(d, "")]
    assert quoted, "the samples contain gambling spam that is flagged"
    for domain in quoted:
        assert domains.at[domain, "reasons"].startswith(f"gambling terms: {gambling[domain]}")
    fine = domains["verdict"] == "fine"
    assert not domains.loc[fine, "reasons"].fillna("").str.contains("terms:").any()


def test_rules_still_judge_when_asked():
    audit = audit_exports(EXPORTS[:1], offline=True)
    features = audit.domains.drop(columns=["probability", "verdict", "scheme", "reasons",
                                           "model_version"])
    by_rules = judge(features, evidence=audit.evidence, model=None)
    assert (by_rules["model_version"] == "rules-1").all()
    assert set(by_rules["verdict"]) <= {"toxic", "suspicious", "fine", "unknown"}
    assert isinstance(by_rules, pd.DataFrame) and len(by_rules) == len(features)
