"""Evaluation report: metrics per group, reliability table and plot."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from detector.model import LinkSchemeClassifier, evaluate, evaluate_probabilities
from detector.model.evaluate import group_metrics, groups_by, reliability_table, scheme_groups
from test_model_data import FEATURE_COLUMNS, FEATURES, make_table, split


def test_group_metrics_match_sklearn_and_threshold_counts():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.clip(y * 0.5 + rng.random(300) * 0.6, 0, 1)
    m = group_metrics(y, p, threshold=0.8)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, p))
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, p))
    assert m["brier"] == pytest.approx(brier_score_loss(y, p))
    flagged = p >= 0.8
    assert m["precision_at_toxic"] == pytest.approx(y[flagged].mean())
    assert m["recall_at_toxic"] == pytest.approx(flagged[y == 1].mean())
    assert m["fpr_at_toxic"] == pytest.approx(flagged[y == 0].mean())


def test_metrics_undefined_for_a_group_are_nan_not_zero():
    m = group_metrics(np.zeros(5, dtype=int), np.array([0.1, 0.2, 0.9, 0.3, 0.85]))
    assert np.isnan(m["roc_auc"]) and np.isnan(m["pr_auc"]) and np.isnan(m["recall_at_toxic"])
    assert m["fpr_at_toxic"] == pytest.approx(0.4)


def test_reliability_table_bins_every_row():
    p = np.array([0.0, 0.05, 0.15, 0.5, 0.99, 1.0])
    table = reliability_table(np.array([0, 0, 1, 1, 1, 1]), p, bins=10)
    assert table["n"].sum() == len(p)
    assert table.loc[0, "n"] == 2 and table.loc[9, "n"] == 2
    assert np.isnan(table.loc[3, "observed_rate"])


def test_report_per_difficulty_scheme_and_hard_negatives(tmp_path):
    train, test = split(make_table(2000, seed=31))
    model = LinkSchemeClassifier(n_estimators=50, max_depth=4, n_jobs=1, features=FEATURES,
                                 feature_columns=FEATURE_COLUMNS).fit(train, train["label"])
    y = test["label"].to_numpy()
    groups = groups_by(test["difficulty"], "difficulty=")
    groups.update(scheme_groups(test["scheme"], y))
    groups["hard negatives"] = (test["difficulty"] == "hard").to_numpy() & (y == 0)
    report = evaluate(model, test, y, groups)
    metrics = report.metrics
    assert {"all", "difficulty=easy", "difficulty=hard", "scheme=pbn", "scheme=hacked",
            "hard negatives"} <= set(metrics.index)
    assert metrics.loc["difficulty=easy", "roc_auc"] > metrics.loc["difficulty=hard", "roc_auc"]
    assert metrics.loc["scheme=pbn", "n"] == ((test["scheme"] == "pbn") | (y == 0)).sum()
    assert np.isnan(metrics.loc["hard negatives", "roc_auc"])
    assert 0 <= metrics.loc["hard negatives", "fpr_at_toxic"] < 0.2
    folder = report.save(tmp_path / "eval")
    svg = ET.fromstring((folder / "reliability.svg").read_text())
    assert svg.tag.endswith("svg") and len(svg.findall(".//{http://www.w3.org/2000/svg}circle")) > 3
    assert "difficulty=hard" in (folder / "report.md").read_text()
    assert (folder / "metrics.csv").read_text().startswith("group,n,positives,roc_auc")


def test_group_mask_of_wrong_length_fails():
    with pytest.raises(ValueError, match="group 'x'"):
        evaluate_probabilities([0, 1], [0.1, 0.9], {"x": np.array([True])})
