"""Plain-language reasons from XGBoost's per-feature contributions.

A reason is a feature that (a) has a value in this row, and (b) pushes the row's log-odds
toward "link scheme" by at least ``MIN_CONTRIBUTION``. A missing value (a failed or
skipped lookup) is never a reason: its contribution is ignored, whatever its sign.

The sentence is the feature's description and the row's value
(``"Share of anchors that are gambling terms: 0.75"``). The network stage may supply
concrete **evidence** per domain, used instead of the generic sentence:

* ``{domain: {feature_name: sentence}}``: the sentence replaces that feature's text when
  the feature is among the row's top reasons;
* ``{domain: [sentence, ...]}``: the sentences replace the text of the row's strongest
  reason of family ``"network"`` (e.g. "shares IP block 203.0.113.0/24 with 14 other
  referring domains").

>>> from detector.schema import Feature
>>> sentence(Feature("gambling", "Share of anchors that are gambling terms", "export"), 0.75)
'Share of anchors that are gambling terms: 0.75'
>>> format_value(14.0), format_value(0.123456), format_value(3130.6), format_value(12.345)
('14', '0.123', '3,131', '12.3')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from detector.model.features import EXPORT_FAMILY, UNKNOWN_FAMILY
from detector.schema import Feature

__all__ = [
    "Reason",
    "MIN_CONTRIBUTION",
    "EXPORT_ONLY_NOTE",
    "NETWORK_FAMILY",
    "format_value",
    "sentence",
    "top_reasons",
    "export_only_rows",
    "join_reasons",
]

#: Smallest push toward "scheme", in log-odds, for a feature to count as a reason.
MIN_CONTRIBUTION = 0.1
#: Note added to the reasons of a row judged on export signals alone.
EXPORT_ONLY_NOTE = "(export data only; no lookups)"
#: Family whose reasons list-form evidence replaces.
NETWORK_FAMILY = "network"


@dataclass(frozen=True)
class Reason:
    """One reason a domain looks like part of a link scheme."""

    feature: str  #: feature column name
    family: str  #: signal family of the feature
    value: float  #: the row's value of the feature (never NaN)
    contribution: float  #: push toward "scheme" in log-odds (> 0)
    text: str  #: the sentence shown to a person


def format_value(value: float) -> str:
    """A short human form of a number: 3 significant digits below 100, whole numbers
    (with thousands separators) from 100 up."""
    v = float(value)
    if v.is_integer() and abs(v) < 1000:
        return str(int(v))
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


_MISSING_NOTE = re.compile(r"\s*\([^()]*\bNaN\b[^()]*\)")


def sentence(feature: Feature, value: float) -> str:
    """The generic reason sentence: description and value.

    Notes in a description meant for the model card ("(NaN when ...)") are left out: a
    reason is only ever given for a known value.

    >>> from detector.schema import Feature
    >>> sentence(Feature("x", "distinct linking pages (NaN without page URLs)", "export"), 3.0)
    'distinct linking pages: 3'
    """
    return f"{_reason_text(feature.description)}: {format_value(value)}"


@lru_cache(maxsize=1024)
def _reason_text(description: str) -> str:
    """A feature description without its model-card notes (one regex per feature, not per reason)."""
    return _MISSING_NOTE.sub("", description).strip()


def top_reasons(contributions: np.ndarray, matrix: np.ndarray, features: Sequence[Feature], *,
                top: int = 3, min_contribution: float = MIN_CONTRIBUTION,
                evidence: Mapping | None = None,
                domains: Sequence[str] | None = None) -> list[list[Reason]]:
    """Up to ``top`` reasons per row, strongest first (see the module docstring)."""
    n = len(matrix)
    if n == 0 or top <= 0:
        return [[] for _ in range(n)]
    eligible = (contributions >= min_contribution) & ~np.isnan(matrix)
    scored = np.where(eligible, contributions, -np.inf)
    k = min(top, scored.shape[1])
    best = np.argpartition(-scored, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scored, best, axis=1), axis=1, kind="stable")
    best = np.take_along_axis(best, order, axis=1)
    best_ok = np.take_along_axis(eligible, best, axis=1)
    out: list[list[Reason]] = []
    # plain lists: indexing numpy arrays element by element was most of the cost
    values = np.take_along_axis(matrix, best, axis=1).tolist()
    pushes = np.take_along_axis(contributions, best, axis=1).tolist()
    columns, usable = best.tolist(), best_ok.tolist()
    texts: dict[tuple[int, float], str] = {}  # shares and counts repeat across rows
    for i in range(n):
        row = []
        for j, value, push, ok in zip(columns[i], values[i], pushes[i], usable[i]):
            if not ok:
                continue
            f = features[j]
            text = texts.get((j, value))
            if text is None:
                text = texts[(j, value)] = sentence(f, value)
            row.append(Reason(f.name, f.family, value, push, text))
        if evidence and domains is not None and row:
            row = _with_evidence(row, evidence.get(domains[i]))
        out.append(row)
    return out


def _with_evidence(row: list[Reason], found) -> list[Reason]:
    if not found:
        return row
    if isinstance(found, Mapping):
        return [_retext(r, found[r.feature]) if r.feature in found else r for r in row]
    sentences = [found] if isinstance(found, str) else list(found)
    for index, reason in enumerate(row):
        if reason.family == NETWORK_FAMILY:
            return row[:index] + [_retext(reason, ", ".join(sentences))] + row[index + 1:]
    return row


def _retext(reason: Reason, text: str) -> Reason:
    return Reason(reason.feature, reason.family, reason.value, reason.contribution, text)


def export_only_rows(matrix: np.ndarray, features: Sequence[Feature]) -> np.ndarray:
    """Rows whose known values all come from the export, for a model that also has lookup
    features (so its other evidence is missing, not merely absent by design).

    Network features count with the export here: offline, the network stage still groups
    domains by the export's own footprints (title patterns, URL schemes, bursts), which is
    export data too, not a lookup.
    """
    families = np.array([f.family for f in features], dtype=object)
    is_export = families == EXPORT_FAMILY
    is_lookup = ~is_export & (families != UNKNOWN_FAMILY) & (families != NETWORK_FAMILY)
    if not is_lookup.any() or not is_export.any():
        return np.zeros(len(matrix), dtype=bool)
    known = ~np.isnan(matrix)
    return known[:, is_export].any(axis=1) & ~known[:, is_lookup].any(axis=1)


def join_reasons(reasons: Sequence[Reason], *, export_only: bool = False,
                 empty: str = "") -> str:
    """The reasons as one ``"; "``-joined string, with the export-only note when due."""
    text = "; ".join(r.text for r in reasons) or empty
    if export_only:
        text = f"{text} {EXPORT_ONLY_NOTE}" if text else EXPORT_ONLY_NOTE
    return text
