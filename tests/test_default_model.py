"""The shipped default model: it loads, fits the pipeline's features, and keeps its quality.

The quality floors below are measured on held-out worlds (``TEST_HELD_OUT``: seeds 7001
and 7002, which no build uses; one ``medium`` world and one world of the held-out setting
``hard_hidden``), served on loopback and audited by the real pipeline. Each floor is set
a margin below the value measured when the model was built, so seed-level noise does
not flake, but a change that makes the model clearly worse fails here. To move a floor,
change the constant and write the new measured value and the reason beside it.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detector.errors import ModelError
from detector.model import EXPORT_ONLY_NOTE, load_default_model, score_domains
from detector.model.artifact import DEFAULT_MODELS_DIR, default_model_version
from detector.model.evaluate import group_metrics
from detector.pipeline import audit_exports
from detector.schema import DOM, VERDICTS
from detector.training import DEFAULT_VERSION, SMALL, TEST_HELD_OUT, build_corpus, feature_columns
from detector.training.build import default_out_dir, version_for
from detector.training.cli import main as build_model_main
from detector.training.configs import FULL
from detector.training.report import hard_negative_masks

pytestmark = pytest.mark.allow_hosts(["127.0.0.0/8", "::1"])

#: feature families that need network lookups (absent offline)
LOOKUP_FAMILIES = {"hosting", "registration", "content", "reciprocal"}

# ---- pinned floors (held-out worlds TEST_HELD_OUT, model default-2026.11.1) ----------
# Measured with the shipped artifact on 2026-11-24 (11.1: trained with the worlds' CDN /
# DNS / parking ranges and their dates): 400 domains per regime, 99 toxic, 338 hard-negative rows. Floors sit ~3-4 standard errors below the measured values
# (recall SE ~0.02 at 99 positives; one hard-negative false positive is 0.3 %), so
# timing noise in the served lookups does not flake, a clearly worse model fails.
# The synthetic worlds are easy (docs/default_model.md): these floors guard against
# regressions, they are not a claim about real backlink profiles.
LOOKUPS_ROC_AUC_FLOOR = 0.98  # measured 0.9994 (11.0: 0.9996)
LOOKUPS_PR_AUC_FLOOR = 0.95  # measured 0.9978 (11.0: 0.9985)
LOOKUPS_PRECISION_FLOOR = 0.93  # measured 0.990 (11.0: 1.000) at the toxic threshold 0.8
LOOKUPS_RECALL_FLOOR = 0.90  # measured 0.980 (11.0: 0.970)
LOOKUPS_BRIER_CEILING = 0.02  # measured 0.0081 (11.0: 0.0053)
OFFLINE_ROC_AUC_FLOOR = 0.97  # measured 0.992 (11.0: 0.994)
OFFLINE_PR_AUC_FLOOR = 0.93  # measured 0.971 (11.0: 0.982)
OFFLINE_PRECISION_FLOOR = 0.90  # measured 0.958 (11.0: 0.979)
OFFLINE_RECALL_FLOOR = 0.83  # measured 0.919 (11.0: 0.919)
OFFLINE_BRIER_CEILING = 0.045  # measured 0.0227 (11.0: 0.0213)
HARD_NEGATIVE_FPR_CEILING = 0.03  # measured 0.015 (5 of 338; 11.0: 2); both regimes, any hard negative


def _sample_files(samples_dir: Path) -> list[Path]:
    return sorted(p for p in samples_dir.iterdir() if p.is_file() and p.suffix != ".md")


def _features_only(domains: pd.DataFrame) -> pd.DataFrame:
    result = [DOM.PROBABILITY, DOM.VERDICT, DOM.SCHEME, DOM.REASONS, DOM.MODEL_VERSION]
    return domains.drop(columns=[c for c in result if c in domains.columns])


@pytest.fixture(scope="module")
def model():
    return load_default_model()


@pytest.fixture(scope="module")
def held_out(tmp_path_factory) -> pd.DataFrame:
    """The test's held-out corpus, built fresh (never from a cache) from fixed seeds."""
    return build_corpus(TEST_HELD_OUT, cache_dir=tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def offline_samples(samples_dir_module) -> pd.DataFrame:
    return audit_exports(_sample_files(samples_dir_module), offline=True).domains


@pytest.fixture(scope="module")
def samples_dir_module() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "samples"


# ---- (1) the artifact and the pipeline agree -----------------------------------------
def test_the_shipped_default_is_this_version_and_small(model):
    assert default_model_version() == DEFAULT_VERSION
    assert model.version_ == DEFAULT_VERSION
    folder = DEFAULT_MODELS_DIR / DEFAULT_VERSION
    assert sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) < 5_000_000
    card = model.card_
    assert card["calibration"]["status"].startswith("isotonic")
    assert card["metrics"]["lookups"]["roc_auc"] > 0.5 and "training_data" in card
    assert {s["seed"] for s in card["corpus"]["train"]}.isdisjoint(s.seed for s in TEST_HELD_OUT)


def test_offline_pipeline_features_are_the_model_features_minus_lookups(model, offline_samples):
    offline_columns = set(feature_columns(offline_samples))
    assert offline_columns <= set(model.feature_names_), offline_columns - set(model.feature_names_)
    absent = set(model.feature_names_) - offline_columns
    family = {f.name: f.family for f in model.features_}
    assert absent and {family[name] for name in absent} <= LOOKUP_FAMILIES
    with pytest.raises(ModelError, match="fill_missing"):
        score_domains(_features_only(offline_samples), model)
    scored = score_domains(_features_only(offline_samples), model, fill_missing=True)
    assert set(scored[DOM.VERDICT]) <= set(VERDICTS)
    known = scored[DOM.PROBABILITY].dropna()
    assert len(known) > 0.9 * len(scored) and known.between(0, 1).all()
    assert (scored[DOM.MODEL_VERSION] == DEFAULT_VERSION).all()


def test_online_pipeline_features_are_exactly_the_model_features(model, held_out):
    assert set(feature_columns(held_out)) == set(model.feature_names_)
    online = held_out[held_out["regime"] == "lookups"]
    assert online[[f.name for f in model.features_ if f.family == "hosting"]].notna().any().any()


# ---- (2) pinned quality floors on held-out worlds ------------------------------------
def _metrics(model, frame: pd.DataFrame) -> dict:
    p = model.predict_proba(frame, fill_missing=True)[:, 1]
    return group_metrics(frame["toxic"].to_numpy(), p)


def test_quality_floors_with_lookups(model, held_out):
    m = _metrics(model, held_out[held_out["regime"] == "lookups"])
    assert m["roc_auc"] >= LOOKUPS_ROC_AUC_FLOOR, m
    assert m["pr_auc"] >= LOOKUPS_PR_AUC_FLOOR, m
    assert m["precision_at_toxic"] >= LOOKUPS_PRECISION_FLOOR, m
    assert m["recall_at_toxic"] >= LOOKUPS_RECALL_FLOOR, m
    assert m["brier"] <= LOOKUPS_BRIER_CEILING, m


def test_quality_floors_offline(model, held_out):
    m = _metrics(model, held_out[held_out["regime"] == "offline"])
    assert m["roc_auc"] >= OFFLINE_ROC_AUC_FLOOR, m
    assert m["pr_auc"] >= OFFLINE_PR_AUC_FLOOR, m
    assert m["precision_at_toxic"] >= OFFLINE_PRECISION_FLOOR, m
    assert m["recall_at_toxic"] >= OFFLINE_RECALL_FLOOR, m
    assert m["brier"] <= OFFLINE_BRIER_CEILING, m


def test_hard_negative_false_positive_ceiling(model, held_out):
    hard = hard_negative_masks(held_out)["any hard negative"]
    assert hard.sum() > 50  # CDN customers, aggregators, new sites, failed lookups ...
    p = model.predict_proba(held_out[hard], fill_missing=True)[:, 1]
    assert (p >= 0.8).mean() <= HARD_NEGATIVE_FPR_CEILING


# ---- (3) offline verdicts say they rest on export data only --------------------------
def test_offline_rows_say_export_data_only(model, offline_samples):
    scored = score_domains(_features_only(offline_samples), model, fill_missing=True)
    flagged = scored[scored[DOM.VERDICT] != "fine"]
    assert len(flagged) > 0
    # every offline row, flagged or not, is marked as judged on the export alone; the
    # flagged ones also carry at least one reason before the note
    unmarked = scored.loc[~scored[DOM.REASONS].str.endswith(EXPORT_ONLY_NOTE), DOM.DOMAIN].tolist()
    assert not unmarked, (
        f"{len(unmarked)} offline rows lack the export-only note, e.g. {unmarked[:3]}: offline "
        "network features (family 'network', computed from export footprints) are known, and "
        "detector.model.reasons.export_only_rows counts them as lookup evidence")
    assert (flagged[DOM.REASONS].str.len() > len(EXPORT_ONLY_NOTE) + 1).all()


# ---- the build command and the configurations ----------------------------------------
def test_small_builds_never_shadow_the_shipped_model():
    assert default_out_dir(SMALL) != DEFAULT_MODELS_DIR
    assert default_out_dir(FULL) == DEFAULT_MODELS_DIR
    assert version_for(FULL) == DEFAULT_VERSION and version_for(SMALL) != DEFAULT_VERSION


def test_training_and_held_out_worlds_never_share_a_seed():
    for config in (SMALL, FULL):
        train = {(s.preset, s.seed) for s in config.train}
        assert train.isdisjoint((s.preset, s.seed) for s in config.held_out)
        assert {s.name for s in config.held_out} - {s.name for s in config.train}  # a new setting


def test_build_model_command_rejects_an_unknown_config(capsys):
    with pytest.raises(SystemExit) as exc:
        build_model_main(["--config", "huge"])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["configs", "corpus"])
def test_docstring_examples(name):
    module = importlib.import_module(f"detector.training.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_feature_columns_skip_labels_verdicts_and_identifiers(held_out):
    columns = feature_columns(held_out)
    for name in ("toxic", "seed", "pbn_hiding", "true_network_id", "network_id", DOM.PROBABILITY):
        assert name not in columns
    assert np.all([held_out[c].dtype == np.float64 for c in columns])
