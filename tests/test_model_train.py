"""Learning from the user's labels and from external labelled tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detector.errors import InputError, ModelError
from detector.model import (
    LinkSchemeClassifier,
    labels_from_csv,
    labels_from_decisions,
    labels_from_disavow,
    load_model,
    score_domains,
    train_from_labels,
    train_on_table,
)
from detector.model.labels import label_value
from detector.schema import DOM
from test_model_data import FEATURE_COLUMNS, FEATURES, make_table

FAST = dict(n_estimators=40, scheme_estimators=30, max_depth=4, n_jobs=1)


def test_reviewed_csv_labels(tmp_path):
    path = tmp_path / "reviewed.csv"
    path.write_text("Domain,Verdict,note\n"
                    "https://www.Spam.co.uk/page,toxic,x\n"
                    "good.example,keep,\n"
                    "maybe.example,suspicious,\n"
                    "flip.example,disavow,\n"
                    "flip.example,fine,changed my mind\n", encoding="utf-8")
    labels = labels_from_csv(path)
    assert labels.to_dict() == {"spam.co.uk": 1.0, "good.example": 0.0, "flip.example": 0.0}


def test_reviewed_csv_errors_name_file_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("domain,verdict\na.example,toxic\nb.example,purple\n")
    with pytest.raises(InputError, match=r"bad\.csv: line 3, column 2 \('verdict'\): 'purple'"):
        labels_from_csv(path)
    header = tmp_path / "header.csv"
    header.write_text("site,score\n")
    with pytest.raises(InputError, match="line 1"):
        labels_from_csv(header)


def test_disavow_positives_and_allowlist_negatives(tmp_path):
    disavow = tmp_path / "disavow.txt"
    disavow.write_text("# old file\ndomain:spam.example\nhttp://bad.example/x.html\n"
                       "domain:kept.example\n\n")
    allow = tmp_path / "allow.txt"
    allow.write_text("kept.example  # our partner\nhttps://friend.example/\n")
    labels = labels_from_disavow(disavow, allow)
    assert labels.to_dict() == {"spam.example": 1.0, "bad.example": 1.0,
                                "kept.example": 0.0, "friend.example": 0.0}


def test_labels_from_app_decisions():
    frame = pd.DataFrame({"domain": ["a.example", "b.example", "c.example"],
                          "decision": pd.array(["disavow", None, "keep"], dtype="string")})
    assert labels_from_decisions(frame).to_dict() == {"a.example": 1.0, "c.example": 0.0}


@pytest.fixture(scope="module")
def world():
    frame = make_table(1500, seed=41)
    base = LinkSchemeClassifier(**FAST, features=FEATURES, feature_columns=FEATURE_COLUMNS)
    base.fit(frame.iloc[:1000], frame["label"].iloc[:1000], scheme=frame["scheme"].iloc[:1000])
    base.version_ = "default-test"
    return frame, base


def test_train_from_labels_compares_with_base_and_saves_a_version(tmp_path, world):
    frame, base = world
    user = frame.iloc[1000:1300]
    labels = pd.Series(np.where(user["label"] == 1, "disavow", "keep"), index=user["domain"])
    labels["not-in-table.example"] = "disavow"
    features = frame.drop(columns=["label", "scheme"])
    report = train_from_labels(features, labels, base_model=base, cv=3,
                               models_dir=tmp_path / "models")
    assert report.n_labels == 300 and report.n_positive == int(user["label"].sum())
    assert report.unmatched == ["not-in-table.example"]
    assert list(report.comparison.index) == ["new (cross-validated)", "base"]
    assert report.comparison.loc["new (cross-validated)", "roc_auc"] > 0.85
    assert report.comparison.loc["base", "roc_auc"] > 0.85
    assert report.version.startswith("user-") and (report.path / "card.json").is_file()
    assert "300 labelled domains" in report.to_text() and report.version in report.to_text()
    assert report.model.feature_names_ == base.feature_names_
    loaded = load_model(report.path)
    assert "default-test" in loaded.card_["training_data"]
    scored = score_domains(features, loaded)
    assert (scored[DOM.MODEL_VERSION] == report.version).all()


def test_finetune_continues_from_the_base_trees(tmp_path, world):
    frame, base = world
    user = frame.iloc[1000:1200]
    labels = pd.Series(user["label"].to_numpy(), index=user["domain"])
    report = train_from_labels(frame, labels, base_model=base, mode="finetune", cv=2,
                               save=False, params=None)
    rounds = report.model.booster_.num_boosted_rounds()
    assert rounds == base.booster_.num_boosted_rounds() + base.n_estimators
    assert report.version is None
    with pytest.raises(ModelError, match="base_model"):
        train_from_labels(frame, labels, mode="finetune", save=False)


def test_too_few_labels_fail_clearly(world):
    frame, _ = world
    labels = pd.Series({frame["domain"][0]: 1, frame["domain"][1]: 0, frame["domain"][2]: 0})
    with pytest.raises(InputError, match="at least 2 labelled domains of each class"):
        train_from_labels(frame, labels, save=False)


def test_train_on_external_table_with_label_words_and_groups(tmp_path):
    rng = np.random.default_rng(5)
    n = 800
    x = rng.normal(size=n)
    table = pd.DataFrame({
        "host_id": np.arange(n),  # an id column the caller leaves out
        "in_degree": np.where(x > 0.3, rng.normal(3, 1, n), rng.normal(0, 1, n)),
        "pagerank": rng.normal(size=n),
        "class": np.where(x > 0.3, "spam", "nonspam").astype(object),
        "split": rng.choice(["a", "b"], n),
    })
    table.loc[:20, "class"] = "undecided"
    report = train_on_table(table, "class", feature_columns=["in_degree", "pagerank"],
                            groups=["split"], cv=3, params=FAST, save_dir=tmp_path / "ext")
    assert report.n_labels == n - 21
    metrics = report.evaluation.metrics
    assert {"all", "split=a", "split=b"} <= set(metrics.index)
    assert metrics.loc["all", "roc_auc"] > 0.9
    assert report.model.feature_names_ == ["in_degree", "pagerank"]
    assert (report.path / "model.json").is_file()


def test_label_words():
    assert [label_value(v) for v in ("SPAM", "nonspam", True, 0, "keep")] == [1, 0, 1, 0, 0]
    assert np.isnan(label_value("undecided"))
    with pytest.raises(ValueError):
        label_value("perhaps")
