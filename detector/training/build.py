"""Train the default model on a corpus configuration, judge it on held-out worlds, ship it.

:func:`build_default_model` is what ``detector build-model`` and the training notebook
run: build (or read from cache) the training and held-out corpora, fit a
:class:`~detector.model.LinkSchemeClassifier` on every training row of both regimes
(lookups and offline), score the held-out rows, and save the artifact with a model card
that records the worlds, the feature list and the held-out figures.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from detector.model import LinkSchemeClassifier, save_model
from detector.model.artifact import DEFAULT_MODELS_DIR
from detector.training.configs import CONFIGS, DEFAULT_VERSION, CorpusConfig
from detector.training.corpus import LOOKUPS, Progress, build_corpus, declared_features, feature_columns
from detector.training.report import HeldOutReport, held_out_report

__all__ = ["BuildResult", "train_default_model", "build_default_model", "default_out_dir",
           "version_for", "regime_counts"]


@dataclass
class BuildResult:
    """What one build produced."""

    model: LinkSchemeClassifier  #: the fitted (and, when ``out`` was given, saved) model
    report: HeldOutReport  #: held-out figures
    train: pd.DataFrame  #: training corpus
    held_out: pd.DataFrame  #: held-out corpus
    artifact: Path | None = None  #: saved artifact folder
    report_dir: Path | None = None  #: saved report folder
    timings: dict[str, float] = field(default_factory=dict)  #: seconds per step


def version_for(config: CorpusConfig) -> str:
    """The artifact version a configuration builds: the default version for ``full``,
    ``<name>-<default version>`` for others (never picked as the shipped default)."""
    return DEFAULT_VERSION if config.name == "full" else f"{config.name}-{DEFAULT_VERSION}"


def default_out_dir(config: CorpusConfig) -> Path:
    """Where a build writes by default: the shipped registry for ``full``, else
    ``./build/models`` (a small model must never shadow the shipped one)."""
    return DEFAULT_MODELS_DIR if config.name == "full" else Path("build") / "models"


def train_default_model(train: pd.DataFrame, params: dict[str, Any] | None = None
                        ) -> LinkSchemeClassifier:
    """Fit the classifier on a labelled corpus (both regimes), with the scheme head."""
    columns = feature_columns(train)
    y = train["toxic"].to_numpy(dtype=int)
    scheme = train["true_scheme"].astype(object).where(y == 1, None)
    model = LinkSchemeClassifier(features=tuple(declared_features()), feature_columns=columns,
                                 **(params or {}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=UserWarning)  # an uncalibrated default is a bug
        model.fit(train, y, scheme=scheme.to_numpy())
    return model


def _training_text(config: CorpusConfig, train: pd.DataFrame) -> str:
    worlds = ", ".join(f"{s.name} seed {s.seed} ({s.n_domains:,} domains)" for s in config.train)
    positives = int(train.loc[train["regime"] == LOOKUPS, "toxic"].sum())
    domains = int((train["regime"] == LOOKUPS).sum())
    return (f"Synthetic worlds of detector.simulate, served on loopback and audited with "
            f"detector.pipeline.audit_exports (corpus configuration '{config.name}'): {worlds}. "
            f"{domains:,} referring domains ({positives:,} toxic by the ground truth), each "
            f"twice: with DNS, registration and page lookups, and offline (export signals "
            f"only), {len(train):,} rows in all. Labels: the world's ground truth "
            f"(TOXIC_BY_SCHEME; parked and qualified comment spam are not toxic). "
            f"Held-out worlds (new seeds and settings): "
            + ", ".join(f"{s.name} seed {s.seed}" for s in config.held_out) + ". "
            "See docs/default_model.md.")


def build_default_model(config: CorpusConfig | str = "full", out: str | Path | None = None, *,
                        version: str | None = None, cache_dir: str | Path | None = None,
                        rebuild: bool = False, report_dir: str | Path | None = None,
                        save: bool = True, progress: Progress | None = None) -> BuildResult:
    """Build corpora, train, evaluate on held-out worlds and (``save``) write the artifact.

    ``out``: registry folder (default :func:`default_out_dir`); the artifact goes to
    ``out/<version>`` and the held-out report to ``report_dir`` (default
    ``out/<version>/evaluation``).
    """
    say = progress or (lambda _m: None)
    config = CONFIGS[config] if isinstance(config, str) else config
    version = version or version_for(config)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    train = build_corpus(config.train, cache_dir=cache_dir, rebuild=rebuild, progress=say)
    held = build_corpus(config.held_out, cache_dir=cache_dir, rebuild=rebuild, progress=say)
    timings["corpus"] = time.perf_counter() - began

    began = time.perf_counter()
    model = train_default_model(train, config.model_params)
    timings["train"] = time.perf_counter() - began
    say(f"trained on {len(train):,} rows x {len(model.feature_names_)} features "
        f"({timings['train']:.0f} s)")

    probability = model.predict_proba(held, fill_missing=True)[:, 1]
    report = held_out_report(probability, held, model_version=version)
    missing = sorted(set(feature_columns(held)) - set(model.feature_names_))
    if missing:
        report.notes.append(f"held-out columns the model does not use: {', '.join(missing)}")
    network = [n for n in model.feature_names_ if n.startswith("network_")]
    report.notes.append("network-footprint features used: " + (", ".join(network) if network
                                                               else "none (not in Audit.domains)"))

    result = BuildResult(model, report, train, held, timings=timings)
    if save:
        folder = Path(out) if out is not None else default_out_dir(config)
        card_extra = {
            "training_data": _training_text(config, train),
            "metrics": report.summary(),
            "corpus": config.to_json(),
            "notes": report.notes,
        }
        result.artifact = save_model(model, folder / version, version=version, card_extra=card_extra)
        result.report_dir = report.save(Path(report_dir) if report_dir is not None
                                        else result.artifact / "evaluation")
        say(f"saved {result.artifact} and the held-out report in {result.report_dir}")
    return result


def regime_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows and toxic share per world and regime (for the notebook)."""
    return (frame.groupby(["world", "regime"])["toxic"].agg(rows="size", toxic_share="mean")
            .reset_index())

