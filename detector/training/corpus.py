"""A labelled feature corpus: what the detector really computes on served synthetic worlds.

For each :class:`~detector.training.configs.WorldSpec`:

1. generate the world and write its backlink exports to a temporary folder;
2. serve it on loopback (in-process DNS: it chases CNAMEs as a real recursive resolver
   does, and starts at once) and run :func:`detector.pipeline.audit_exports` with
   ``offline=False`` against it: the rows of regime ``lookups``;
3. run ``audit_exports`` again with ``offline=True`` on the same exports: regime
   ``offline`` (lookup features absent, so NaN), so the model learns to judge from export
   signals alone too;
4. join the world's ground truth by domain.

Feature columns are taken generically: every numeric column of ``Audit.domains`` except
the verdict columns, identifiers and the label/meta columns added here (see
:func:`feature_columns`), so a new feature family of the pipeline joins without a change
here. Each world's rows are cached as Parquet (keyed by the world and by the declared
feature names), so the notebook and a rebuild re-run fast.

The network settings (:data:`LOOPBACK_OVERRIDES`) only lift rate limits and shorten
waits that exist to be polite to real registries; the served world's slow answers are
made faster (``SLOW_SECONDS``) and every timeout stays above them, so a lookup that
would succeed in production succeeds here and the features are the production ones.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from detector.model.features import RESULT_COLUMNS
from detector.schema import DOMAIN, Feature
from detector.training.configs import WorldSpec

__all__ = [
    "CORPUS_FORMAT",
    "LOOKUPS",
    "OFFLINE",
    "META_COLUMNS",
    "LOOPBACK_OVERRIDES",
    "SLOW_SECONDS",
    "HARD_NEGATIVE_KINDS",
    "declared_features",
    "feature_columns",
    "corpus_cache_dir",
    "world_rows",
    "build_corpus",
]

#: Bump when the corpus layout changes (invalidates cached Parquet files).
CORPUS_FORMAT = 2  # 2: lookups regime sees the world's CDN / DNS / parking ranges
LOOKUPS = "lookups"  #: regime: DNS, registration and page lookups ran
OFFLINE = "offline"  #: regime: export signals only

#: Columns added here (labels and bookkeeping): never features.
META_COLUMNS: tuple[str, ...] = (
    "toxic",  # ground truth 0/1
    "true_scheme",  # ground-truth scheme type (schema.SCHEMES)
    "kind",  # sub-type (blog, cdn_site, pbn, guest_post ...)
    "difficulty",  # preset of the world
    "setting",  # preset, or held-out setting name
    "world",  # WorldSpec.key()
    "seed",  # world seed
    "regime",  # lookups / offline
    "pbn_hiding",  # the world's hiding knob
    "true_network_id",  # ground-truth PBN id
    "injected_failures",  # failures the world injected for this domain ("" = none)
    "lookups_failed",  # the detector saw a failed lookup for it (NA offline)
    "hosting",  # hosting provider kind: cdn / shared / vps / cheap / own, else the provider name
    "shared_analytics",  # natural site sharing analytics IDs with another site (publisher group)
)

#: Numeric columns of ``Audit.domains`` that identify rather than measure.
IDENTIFIER_COLUMNS: frozenset[str] = frozenset({"network_id"})

#: Natural kinds users report as wrongly flagged (docs/simulation.md "Who lives there").
HARD_NEGATIVE_KINDS: tuple[str, ...] = ("cdn_site", "aggregator", "bibliography", "new_site",
                                        "university", "directory", "blogroll")

#: Delay of the served world's "slow" DNS and HTTP answers (below every timeout below).
SLOW_SECONDS = 0.3

#: NetworkConfig changes for loopback: no politeness limits, short waits, one retry.
LOOPBACK_OVERRIDES: dict[str, Any] = dict(
    per_server_rate=10_000.0, per_host_rate=10_000.0, registration_concurrency=32,
    http_concurrency=100, dns_timeout=2.0, registration_timeout=3.0, http_timeout=3.0,
    retries=1, backoff=0.05,
)

#: Modules and names of the declared feature families (a missing one is skipped).
_FEATURE_PRODUCERS: tuple[tuple[str, str], ...] = (
    ("detector.signals.export", "EXPORT_FEATURES"),
    ("detector.signals.hosting", "HOSTING_FEATURES"),
    ("detector.signals.registration", "REGISTRATION_FEATURES"),
    ("detector.signals.content", "CONTENT_FEATURES"),
    ("detector.signals.reciprocal", "RECIPROCAL_FEATURES"),
    ("detector.network.features", "NETWORK_FEATURES"),
)

Progress = Callable[[str], Any]


def declared_features() -> list[Feature]:
    """Every :class:`Feature` the detector's producers declare (descriptions, families)."""
    out: list[Feature] = []
    for module, name in _FEATURE_PRODUCERS:
        try:
            out += list(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return out


def feature_columns(frame: pd.DataFrame) -> list[str]:
    """The model's feature columns in ``frame``: numeric or boolean columns, minus the
    verdict/result columns, identifiers (``network_id``, ``*_id``) and :data:`META_COLUMNS`.

    >>> frame = pd.DataFrame({"domain": ["a.com"], "links": [2.0], "network_id": [3.0],
    ...                       "probability": [0.1], "toxic": [1], "reasons": ["x"]})
    >>> feature_columns(frame)
    ['links']
    """
    skip = set(RESULT_COLUMNS) | set(META_COLUMNS) | set(IDENTIFIER_COLUMNS)
    names = []
    for column in frame.columns:
        name = str(column)
        if name in skip or name.endswith("_id"):
            continue
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            names.append(name)
    return names


def corpus_cache_dir() -> Path:
    """``$DETECTOR_CORPUS_CACHE``, else ``$XDG_CACHE_HOME/detector/corpus``, else
    ``~/.cache/detector/corpus``."""
    if os.environ.get("DETECTOR_CORPUS_CACHE"):
        return Path(os.environ["DETECTOR_CORPUS_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "detector" / "corpus"


def _fingerprint() -> str:
    names = sorted(f.name for f in declared_features())
    text = f"{CORPUS_FORMAT}|{SLOW_SECONDS}|{sorted(LOOPBACK_OVERRIDES.items())}|{names}"
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _audit(files: Sequence[Path], **kwargs: Any):
    from detector.pipeline import audit_exports

    # the world's "today" anchors ages when the pipeline lets us say so; otherwise the
    # wall clock is used (registration ages then drift with the date of the build)
    if "now" in inspect.signature(audit_exports).parameters and "as_of" in kwargs:
        kwargs["now"] = kwargs.pop("as_of")
    kwargs.pop("as_of", None)
    return audit_exports(files, **kwargs)


def _truth(world: Any, spec: WorldSpec) -> pd.DataFrame:
    """Ground truth and bookkeeping per referring domain."""
    from detector.simulate.vocab import PROVIDERS

    labels = world.labels()
    failures = [c for c in labels.columns if c.endswith("_failure")]
    injected = labels[failures].astype("object").where(labels[failures].notna(), "")
    injected_text = injected.apply(
        lambda row: ",".join(f"{c.removesuffix('_failure')}:{v}" for c, v in row.items() if v), axis=1)
    domains = world.domains.set_index("domain")
    provider_kind = {name: kind for name, kind, *_ in PROVIDERS}
    provider = domains["provider"].astype("object")
    hosting = labels["domain"].map(provider.map(lambda p: provider_kind.get(p, p)))
    natural = ~labels["toxic"].astype(bool).to_numpy()
    shared = np.zeros(len(labels), dtype=bool)
    for column in ("ga_ua", "ga4"):
        ids = domains[column].astype("object")
        counts = ids.dropna()[ids.dropna() != ""].value_counts()
        many = set(counts[counts > 1].index)
        shared |= labels["domain"].map(ids).isin(many).to_numpy()
    return pd.DataFrame({
        DOMAIN: labels["domain"].astype(str).to_numpy(),
        "toxic": labels["toxic"].astype(int).to_numpy(),
        "true_scheme": labels["scheme"].astype(str).to_numpy(),
        "kind": labels["kind"].astype(str).to_numpy(),
        "difficulty": spec.preset,
        "setting": spec.name,
        "world": spec.key(),
        "seed": int(spec.seed),
        "pbn_hiding": float(world.config.pbn_hiding),
        "true_network_id": labels["network_id"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan),
        "injected_failures": injected_text.astype(str).to_numpy(),
        "hosting": hosting.fillna("unknown").astype(str).to_numpy(),
        "shared_analytics": shared & natural,
    })


def _domains_frame(audit: Any, regime: str) -> pd.DataFrame:
    frame = audit.domains.drop(columns=[c for c in RESULT_COLUMNS if c in audit.domains.columns
                                        and c != DOMAIN])
    frame[DOMAIN] = frame[DOMAIN].astype(str)
    frame["regime"] = regime
    if regime == LOOKUPS and audit.lookups is not None:
        failed = set(audit.lookups.errors[DOMAIN].astype(str)) if len(audit.lookups.errors) else set()
        frame["lookups_failed"] = pd.array(frame[DOMAIN].isin(failed).to_numpy(), dtype="boolean")
    else:
        frame["lookups_failed"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    return frame


def world_rows(spec: WorldSpec, *, progress: Progress | None = None) -> pd.DataFrame:
    """Both regimes' labelled feature rows of one world (see the module docstring)."""
    from detector.simulate import generate_world, hosting_ranges, serve_world, write_exports

    say = progress or (lambda _m: None)
    began = time.perf_counter()
    world = generate_world(spec.world_config())
    with tempfile.TemporaryDirectory(prefix="detector-corpus-") as tmp:
        files = write_exports(world, Path(tmp) / "exports")
        with serve_world(world, dns="inprocess", slow_seconds=SLOW_SECONDS) as served:
            network = served.network_config(**LOOPBACK_OVERRIDES)
            online = _audit(files, offline=False, network=network,
                            cache_path=Path(tmp) / "lookups.sqlite", as_of=world.config.as_of,
                            hosting_ranges=hosting_ranges(world))
        offline = _audit(files, offline=True, as_of=world.config.as_of)
    truth = _truth(world, spec)
    parts = []
    for audit, regime in ((online, LOOKUPS), (offline, OFFLINE)):
        rows = _domains_frame(audit, regime).merge(truth, on=DOMAIN, how="inner")
        parts.append(rows)
    rows = pd.concat(parts, ignore_index=True, sort=False)
    unlabelled = len(online.domains) - int((parts[0][DOMAIN]).nunique())
    say(f"{spec.key()}: {len(parts[0]):,} domains x 2 regimes, {len(feature_columns(rows))} features"
        f"{f', {unlabelled} unlabelled domains dropped' if unlabelled else ''}"
        f" ({time.perf_counter() - began:.0f} s)")
    return rows


def build_corpus(specs: Iterable[WorldSpec], *, cache_dir: str | Path | None = None,
                 rebuild: bool = False, progress: Progress | None = None) -> pd.DataFrame:
    """The rows of every world in ``specs``, each read from its Parquet cache when present.

    ``cache_dir``: default :func:`corpus_cache_dir`; ``rebuild=True`` recomputes cached
    worlds. Columns a world lacks (a family that produced nothing there) are NaN in its rows.
    """
    say = progress or (lambda _m: None)
    folder = Path(cache_dir) if cache_dir is not None else corpus_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fingerprint = _fingerprint()
    parts = []
    for spec in specs:
        path = folder / f"{spec.key()}-{fingerprint}.parquet"
        if path.is_file() and not rebuild:
            parts.append(pd.read_parquet(path))
            say(f"{spec.key()}: read from cache {path}")
            continue
        rows = world_rows(spec, progress=say)
        partial = path.with_suffix(".tmp")
        rows.to_parquet(partial, index=False)
        partial.replace(path)
        parts.append(rows)
    if not parts:
        raise ValueError("no worlds given")
    corpus = pd.concat(parts, ignore_index=True, sort=False)
    for column in feature_columns(corpus):  # one float dtype for every feature
        if corpus[column].dtype != np.float64:
            corpus[column] = corpus[column].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    return corpus
