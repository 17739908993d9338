"""LinkSchemeClassifier: learning, missing values, sklearn compatibility, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import cross_val_score

from detector.errors import ModelError
from detector.model import LinkSchemeClassifier
from detector.model.features import feature_matrix
from test_model_data import FEATURE_COLUMNS, FEATURES, make_table, split

FAST = dict(n_estimators=60, scheme_estimators=40, max_depth=4, n_jobs=1)


@pytest.fixture(scope="module")
def trained():
    train, test = split(make_table(2400, seed=3))
    model = LinkSchemeClassifier(**FAST, features=FEATURES).fit(
        train, train["label"], scheme=train["scheme"])
    return model, train, test


def test_held_out_auc_well_above_chance(trained):
    model, _, test = trained
    auc = roc_auc_score(test["label"], model.predict_proba(test)[:, 1])
    assert auc > 0.9


def test_feature_columns_exclude_text_and_label_is_not_a_feature():
    frame = make_table(300)
    model = LinkSchemeClassifier(**FAST, feature_columns=FEATURE_COLUMNS, calibration=None)
    model.fit(frame, frame["label"])
    assert model.feature_names_ == FEATURE_COLUMNS
    inferred = LinkSchemeClassifier(**FAST, calibration=None).fit(
        frame.drop(columns=["label"]), frame["label"])
    assert "scheme" not in inferred.feature_names_ and "domain" not in inferred.feature_names_
    assert "difficulty" not in inferred.feature_names_


def test_undeclared_column_is_described_by_its_name(trained):
    model, _, _ = trained
    described = {f.name: f for f in model.features_}
    assert described["noise_b"].description == "noise_b"
    assert described["noise_b"].family == "unknown"
    assert described["links"].description == "Number of links from the domain"


def test_learned_attributes_end_with_underscore(trained):
    model, _, _ = trained
    for name in ("feature_names_", "booster_", "calibrator_", "scheme_classes_",
                 "feature_importance_", "classes_"):
        assert hasattr(model, name)
    assert not hasattr(LinkSchemeClassifier(), "booster_")


def test_all_nan_column_works_and_carries_no_importance(trained):
    model, _, test = trained
    column = model.feature_names_.index("never_looked_up")
    assert model.feature_importance_[column] == 0
    assert np.isfinite(model.predict_proba(test)).all()


def test_missing_values_are_not_imputed():
    """v=1 -> scheme, v=0 -> natural, v=NaN -> a coin flip. Imputing NaN as 0 (or as
    'bad') would put the NaN rows next to one of the known groups."""
    rng = np.random.default_rng(0)
    n = 3000
    v = rng.choice([0.0, 1.0, np.nan], size=n)
    y = np.where(np.isnan(v), rng.random(n) < 0.5, v == 1).astype(int)
    frame = pd.DataFrame({"v": v, "noise": rng.normal(size=n)})
    model = LinkSchemeClassifier(n_estimators=40, max_depth=2, calibration=None, n_jobs=1)
    model.fit(frame, y)
    probe = pd.DataFrame({"v": [0.0, 1.0, np.nan], "noise": [0.0, 0.0, 0.0]})
    p0, p1, p_nan = model.predict_proba(probe)[:, 1]
    assert p0 < 0.2 and p1 > 0.8
    assert 0.3 < p_nan < 0.7


def test_feature_matrix_keeps_missing_as_nan():
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"),
                          "b": pd.array([True, None], dtype="boolean"),
                          "c": [np.nan, 2.5]})
    matrix = feature_matrix(frame, ["a", "b", "c"])
    assert np.isnan(matrix[1, 0]) and np.isnan(matrix[1, 1]) and np.isnan(matrix[0, 2])
    assert matrix[0, 0] == 1 and matrix[0, 1] == 1 and matrix[1, 2] == 2.5


def test_non_numeric_feature_column_fails_clearly():
    frame = pd.DataFrame({"a": ["x", "y"]})
    with pytest.raises(ModelError, match="'a' is not numeric"):
        feature_matrix(frame, ["a"])


def test_sklearn_clone_get_params_and_cross_val_score():
    frame = make_table(900, seed=5)
    model = LinkSchemeClassifier(**FAST, feature_columns=FEATURE_COLUMNS, calibration=None)
    params = model.get_params()
    assert params["n_estimators"] == 60 and params["n_jobs"] == 1
    assert LinkSchemeClassifier().get_params()["n_jobs"] == 2
    copy = clone(model)
    assert copy.get_params() == params and copy is not model
    scores = cross_val_score(model, frame, frame["label"], cv=3, scoring="roc_auc")
    assert scores.min() > 0.85
    assert not hasattr(model, "booster_")  # cross_val_score fitted clones only


def test_numpy_input_and_string_labels():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 3))
    X[rng.random(X.shape) < 0.3] = np.nan
    y = np.where(np.nan_to_num(X[:, 0]) > 0, "spam", "ham")
    model = LinkSchemeClassifier(**FAST, calibration=None).fit(X, y)
    assert model.feature_names_ == ["f0", "f1", "f2"]
    assert list(model.classes_) == ["ham", "spam"]
    assert set(model.predict(X)) <= {"ham", "spam"}
    assert (model.predict(X) == y).mean() > 0.8


def test_calibration_improves_brier_on_held_out_data():
    train, test = split(make_table(3000, seed=7))
    # a strong class weight makes the raw probabilities badly over-confident
    model = LinkSchemeClassifier(**FAST, feature_columns=FEATURE_COLUMNS, scale_pos_weight=6.0,
                                 calibration="isotonic").fit(train, train["label"])
    raw = brier_score_loss(test["label"], model.raw_proba(test))
    calibrated = brier_score_loss(test["label"], model.predict_proba(test)[:, 1])
    assert calibrated < raw
    platt = clone(model).set_params(calibration="sigmoid").fit(train, train["label"])
    assert brier_score_loss(test["label"], platt.predict_proba(test)[:, 1]) < raw


def test_small_label_sets_are_left_uncalibrated_with_a_warning():
    frame = make_table(120, seed=2)
    with pytest.warns(UserWarning, match="not calibrated"):
        model = LinkSchemeClassifier(**FAST, feature_columns=FEATURE_COLUMNS).fit(
            frame, frame["label"])
    assert model.calibrator_ is None
    assert "not calibrated" in model.calibration_status_


def test_scheme_head_predicts_the_scheme_type(trained):
    model, _, test = trained
    assert model.scheme_classes_ == ["hacked", "link_farm", "pbn"]
    predicted = model.predict_scheme(test)
    positives = (test["label"] == 1).to_numpy()
    accuracy = (predicted[positives] == test["scheme"].to_numpy()[positives]).mean()
    assert accuracy > 0.6
    assert (predicted[~positives] == "natural").mean() > 0.8


def test_without_scheme_labels_a_likely_scheme_has_no_type():
    frame = make_table(600, seed=4)
    model = LinkSchemeClassifier(**FAST, feature_columns=FEATURE_COLUMNS, calibration=None)
    model.fit(frame, frame["label"])
    predicted = model.predict_scheme(frame)
    p = model.predict_proba(frame)[:, 1]
    assert all(s is None for s in predicted[p > 0.5])
    assert all(s == "natural" for s in predicted[p <= 0.5])


def test_one_class_labels_fail_clearly():
    frame = make_table(100)
    with pytest.raises(ModelError, match="two label values"):
        LinkSchemeClassifier(**FAST).fit(frame, np.ones(len(frame)))


def test_label_series_taken_from_the_frame_is_not_a_feature():
    frame = make_table(400, seed=8)
    model = LinkSchemeClassifier(**FAST, calibration=None).fit(frame, frame["label"])
    assert "label" not in model.feature_names_
    assert set(model.feature_names_) == set(FEATURE_COLUMNS)


def test_a_label_derived_from_a_column_does_not_drop_that_column():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (frame["a"] > 0).astype(int)  # a Series named "a", but not the column itself
    model = LinkSchemeClassifier(**FAST, calibration=None).fit(frame, y)
    assert model.feature_names_ == ["a", "b"]
