"""Building the shipped default model: corpus of served synthetic worlds, training, report.

See ``docs/default_model.md``. Public surface::

    WorldSpec, CorpusConfig, SMALL, FULL, TEST_HELD_OUT, CONFIGS, DEFAULT_VERSION
    build_corpus(specs, cache_dir=None)      -> labelled feature rows (both regimes)
    feature_columns(frame), declared_features()
    train_default_model(corpus, config)      -> fitted LinkSchemeClassifier
    held_out_report(probability, corpus)     -> HeldOutReport (tables, reliability SVG)
    build_default_model(config, out)         -> BuildResult (what ``detector build-model`` runs)
"""

from detector.training.configs import (
    CONFIGS,
    DEFAULT_VERSION,
    FULL,
    SMALL,
    TEST_HELD_OUT,
    CorpusConfig,
    WorldSpec,
)
from detector.training.build import BuildResult, build_default_model, train_default_model
from detector.training.corpus import build_corpus, declared_features, feature_columns, world_rows
from detector.training.report import HeldOutReport, held_out_report

__all__ = [
    "BuildResult",
    "HeldOutReport",
    "build_default_model",
    "held_out_report",
    "train_default_model",
    "CONFIGS",
    "CorpusConfig",
    "DEFAULT_VERSION",
    "FULL",
    "SMALL",
    "TEST_HELD_OUT",
    "WorldSpec",
    "build_corpus",
    "declared_features",
    "feature_columns",
    "world_rows",
]
