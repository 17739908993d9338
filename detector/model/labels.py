"""The user's own labels, from a reviewed CSV, a disavow file + allowlist, or decisions.

Every reader returns a ``pandas.Series`` of 0/1 (1 = part of a link scheme) indexed by
referring-domain key (:func:`detector.keys.domain_key`), named ``label``. Words accepted
as labels (case-insensitive):

* positive (1): toxic, disavow, spam, bad, scheme, 1, true, yes, y
* negative (0): fine, keep, natural, good, ok, nonspam, normal, ham, 0, false, no, n
* skipped (not a label): empty, suspicious, unknown, undecided, review

A later row about the same domain overrides an earlier one (the latest review wins);
in ``labels_from_disavow`` the allowlist wins over the disavow file, since it is the
person's explicit "keep".
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from detector.errors import InputError
from detector.keys import domain_key
from detector.schema import DISAVOW, DOM, KEEP

__all__ = ["POSITIVE_WORDS", "NEGATIVE_WORDS", "SKIPPED_WORDS", "label_value",
           "labels_from_csv", "labels_from_disavow", "labels_from_decisions"]

POSITIVE_WORDS = frozenset({"toxic", "disavow", "spam", "bad", "scheme", "1", "true", "yes", "y"})
NEGATIVE_WORDS = frozenset({"fine", "keep", "natural", "good", "ok", "nonspam", "non-spam",
                            "normal", "ham", "0", "false", "no", "n"})
SKIPPED_WORDS = frozenset({"", "suspicious", "unknown", "undecided", "review", "nan", "<na>"})
_DOMAIN_HEADERS = ("domain", "referring_domain", "referring domain", "host", "url", "source_url")
_LABEL_HEADERS = ("verdict", "decision", "label", "status", "class")


def label_value(word) -> float:
    """1.0, 0.0, or NaN (skipped) for a label word; ``ValueError`` for anything else.

    >>> label_value("Disavow"), label_value("keep"), label_value("suspicious")
    (1.0, 0.0, nan)
    """
    if isinstance(word, (bool, np.bool_)):
        return float(word)
    if isinstance(word, (int, float, np.number)) and not isinstance(word, bool):
        if np.isnan(word):
            return float("nan")
        if word in (0, 1):
            return float(word)
    text = str(word).strip().lower()
    if text in POSITIVE_WORDS:
        return 1.0
    if text in NEGATIVE_WORDS:
        return 0.0
    if text in SKIPPED_WORDS:
        return float("nan")
    raise ValueError(f"{word!r} is not a label")


def _pick(header: list[str], wanted: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in wanted:
        if name in lowered:
            return lowered.index(name)
    return None


def labels_from_csv(path: str | Path) -> pd.Series:
    """Labels from a reviewed CSV with a domain column and a verdict/decision column."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise InputError(f"{path}: empty file; expected a header with domain and verdict")
    header = rows[0]
    d, v = _pick(header, _DOMAIN_HEADERS), _pick(header, _LABEL_HEADERS)
    if d is None or v is None:
        raise InputError(f"{path}: line 1: header {header!r} needs a domain column (one of "
                         f"{', '.join(_DOMAIN_HEADERS)}) and a label column (one of "
                         f"{', '.join(_LABEL_HEADERS)})")
    labels: dict[str, float] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(d, v):
            raise InputError(f"{path}: line {line}: {len(row)} fields, expected at least "
                             f"{max(d, v) + 1}")
        try:
            value = label_value(row[v])
        except ValueError:
            raise InputError(
                f"{path}: line {line}, column {v + 1} ({header[v]!r}): {row[v]!r} is not a "
                "label; expected toxic/disavow/spam/1 or fine/keep/natural/0 "
                "(or suspicious/unknown/empty to skip)") from None
        key = domain_key(row[d])
        if not key:
            raise InputError(f"{path}: line {line}, column {d + 1} ({header[d]!r}): "
                             f"{row[d]!r} has no domain")
        if not np.isnan(value):
            labels[key] = value
        else:
            labels.pop(key, None)
    return _series(labels)


def _domains_in_list(path: Path) -> list[str]:
    keys = []
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        if text.lower().startswith("domain:"):
            text = text[len("domain:"):].strip()
        else:
            text = text.split(",", 1)[0].strip()  # a CSV allowlist: first column
        key = domain_key(text)
        if key:
            keys.append(key)
    return keys


def labels_from_disavow(disavow: str | Path, allowlist: str | Path | None = None) -> pd.Series:
    """Domains in a disavow file (``domain:`` lines and URLs) as positives, domains in an
    optional allowlist (one domain or URL a line, ``#`` comments) as negatives."""
    labels = {k: 1.0 for k in _domains_in_list(Path(disavow))}
    if allowlist is not None:
        labels.update({k: 0.0 for k in _domains_in_list(Path(allowlist))})
    return _series(labels)


def labels_from_decisions(domains: pd.DataFrame) -> pd.Series:
    """Labels from the decisions recorded in the app (``DOM.DECISION``: keep / disavow)."""
    if DOM.DECISION not in domains.columns:
        raise InputError(f"the Domains frame has no {DOM.DECISION!r} column")
    decided = domains[[DOM.DOMAIN, DOM.DECISION]].dropna()
    mapping = {DISAVOW: 1.0, KEEP: 0.0}
    values = decided[DOM.DECISION].astype(str).str.lower().map(mapping)
    known = values.notna()
    return _series(dict(zip(decided.loc[known, DOM.DOMAIN].astype(str), values[known])))


def _series(labels: dict[str, float]) -> pd.Series:
    return pd.Series(labels, dtype="float64", name="label").rename_axis(DOM.DOMAIN)
