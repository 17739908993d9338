"""Model artifacts: round trip, model card, feature mismatch, registry and versions."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pytest

from detector.errors import ModelError
from detector.model import LinkSchemeClassifier, load_model, save_model, score_domains
from detector.model.artifact import list_models, new_version, save_to_registry
from detector.schema import DOM
from test_model_data import FEATURE_COLUMNS, FEATURES, make_table, split

FAST = dict(n_estimators=40, scheme_estimators=30, max_depth=4, n_jobs=1)


@pytest.fixture(scope="module")
def fitted():
    train, test = split(make_table(1600, seed=21))
    model = LinkSchemeClassifier(**FAST, features=FEATURES, feature_columns=FEATURE_COLUMNS)
    model.fit(train, train["label"], scheme=train["scheme"])
    return model, test


@pytest.mark.parametrize("calibration", ["isotonic", "sigmoid", None])
def test_round_trip_gives_identical_outputs(tmp_path, calibration):
    train, test = split(make_table(1200, seed=22))
    model = LinkSchemeClassifier(**FAST, features=FEATURES, feature_columns=FEATURE_COLUMNS,
                                 calibration=calibration)
    model.fit(train, train["label"], scheme=train["scheme"])
    save_model(model, tmp_path / "m", version="test-1")
    loaded = load_model(tmp_path / "m")
    assert np.array_equal(model.predict_proba(test), loaded.predict_proba(test))
    assert list(model.predict_scheme(test)) == list(loaded.predict_scheme(test))
    a = score_domains(test, model, explain="all")
    b = score_domains(test, loaded, explain="all")
    assert a[DOM.REASONS].tolist() == b[DOM.REASONS].tolist()
    assert a[DOM.VERDICT].tolist() == b[DOM.VERDICT].tolist()
    assert loaded.get_params()["n_estimators"] == FAST["n_estimators"]


def test_outputs_carry_the_saved_version(tmp_path, fitted):
    model, test = fitted
    save_model(model, tmp_path / "v", version="2026.1")
    assert (score_domains(test, model)[DOM.MODEL_VERSION] == "2026.1").all()
    loaded = load_model(tmp_path / "v")
    assert (score_domains(test, loaded)[DOM.MODEL_VERSION] == "2026.1").all()


def test_card_describes_features_calibration_and_training(tmp_path, fitted):
    model, _ = fitted
    folder = save_model(model, tmp_path / "c", version="card-1",
                        card_extra={"training_data": "synthetic world, seed 21",
                                    "metrics": {"roc_auc": 0.97}})
    card = json.loads((folder / "card.json").read_text())
    assert card["version"] == "card-1"
    by_name = {f["name"]: f for f in card["features"]}
    assert by_name["links"]["description"] == "Number of links from the domain"
    assert by_name["links"]["family"] == "export"
    assert by_name["noise_b"]["family"] == "unknown"
    assert card["calibration"]["method"] == "isotonic"
    assert card["training_data"] == "synthetic world, seed 21"
    assert card["xgboost_version"] and card["created"]
    text = (folder / "card.md").read_text()
    assert "synthetic world, seed 21" in text and "Number of links from the domain" in text
    assert json.loads((folder / "model.json").read_text())["learner"]  # XGBoost's own JSON
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.joblib"))


def test_mismatched_features_name_missing_and_extra(tmp_path, fitted):
    model, _ = fitted
    save_model(model, tmp_path / "m", version="m-1")
    expected = [c for c in FEATURE_COLUMNS if c != "cluster_size"] + ["brand_new_signal"]
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path / "m", expected_features=expected)
    message = str(caught.value)
    assert "missing: cluster_size" in message and "extra: brand_new_signal" in message
    load_model(tmp_path / "m", expected_features=list(reversed(FEATURES)) + ["noise_b"])


def test_card_and_booster_disagreeing_fails(tmp_path, fitted):
    model, _ = fitted
    folder = save_model(model, tmp_path / "m", version="m-1")
    card = json.loads((folder / "card.json").read_text())
    card["features"][0]["name"] = "renamed"
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="missing: exact_anchor_share.*extra: renamed|"
                                         "missing: renamed.*extra: exact_anchor_share"):
        load_model(folder)


def test_changed_booster_file_fails_checksum(tmp_path, fitted):
    model, _ = fitted
    folder = save_model(model, tmp_path / "m", version="m-1")
    (folder / "model.json").write_text((folder / "model.json").read_text() + " ")
    with pytest.raises(ModelError, match="checksum"):
        load_model(folder)


def test_registry_versions_and_lookup_by_name(tmp_path, fitted, monkeypatch):
    model, test = fitted
    monkeypatch.setenv("DETECTOR_MODELS_DIR", str(tmp_path / "user"))
    first = save_to_registry(model)
    second = save_to_registry(model)
    assert first.name.startswith("user-") and first != second
    assert [v for v, _ in list_models([tmp_path / "user"])] == sorted([first.name, second.name])
    loaded = load_model(second.name)
    assert loaded.version_ == second.name
    with pytest.raises(ModelError, match="known versions: .*user-"):
        load_model("no-such-version")
    with pytest.raises(ModelError, match="invalid model version"):
        save_model(model, tmp_path / "x", version="../escape")


def test_new_version_increments_within_a_second(tmp_path):
    now = datetime(2026, 3, 1, 12, 0, 5, tzinfo=timezone.utc)
    assert new_version(tmp_path, now=now) == "user-20260301-120005"
    (tmp_path / "user-20260301-120005").mkdir()
    assert new_version(tmp_path, now=now) == "user-20260301-120005-2"
