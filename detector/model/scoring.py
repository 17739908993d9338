"""``score_domains``: add probability, verdict, scheme type, reasons and model version.

The one call the CLI and the app make once the Domains frame has its feature columns.
Explaining every row with exact TreeSHAP costs about 1 ms per row, so by default:

* ``explain="flagged"``: reasons for toxic, suspicious and unknown rows (the ones a
  person reads); fine rows get an empty reason. ``"all"`` explains every row,
  ``"none"`` none.
* ``exact=None``: exact TreeSHAP when at most ``EXACT_MAX_ROWS`` rows are explained,
  else XGBoost's fast Saabas approximation (same trees, per-path attribution), which
  ranks the top features nearly the same at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from detector.model.bands import DEFAULT_BANDS, Bands, evidence_coverage, verdicts
from detector.model.estimator import LinkSchemeClassifier
from detector.model.reasons import (
    EXPORT_ONLY_NOTE,
    export_only_rows,
    join_reasons,
    top_reasons,
)
from detector.schema import DOM, FINE, SUSPICIOUS, TOXIC, UNKNOWN

__all__ = ["score_domains", "EXACT_MAX_ROWS", "UNVERSIONED"]

EXACT_MAX_ROWS = 5_000
#: Model version shown for a model that was fitted but never saved as an artifact.
UNVERSIONED = "unversioned"
_NO_REASON = "no single feature points to a link scheme"


def score_domains(domains: pd.DataFrame, model: LinkSchemeClassifier, *,
                  evidence: Mapping | None = None, top: int = 3,
                  bands: Bands = DEFAULT_BANDS, explain: str = "flagged",
                  exact: bool | None = None, fill_missing: bool = False) -> pd.DataFrame:
    """A copy of ``domains`` with ``DOM.PROBABILITY``, ``DOM.VERDICT``, ``DOM.SCHEME``,
    ``DOM.REASONS`` and ``DOM.MODEL_VERSION`` added (or replaced).

    ``domains``: a ``domain`` column and the model's feature columns (extra columns are
    kept and ignored). Absent feature columns raise :class:`detector.errors.ModelError`
    unless ``fill_missing`` (then they are treated as not looked up).
    ``evidence``: domain -> sentences from the network stage (see
    :mod:`detector.model.reasons`). Unknown rows get a NaN probability, as the schema says.
    """
    if explain not in ("flagged", "all", "none"):
        raise ValueError(f"explain must be 'flagged', 'all' or 'none', got {explain!r}")
    matrix = model.matrix(domains, fill_missing=fill_missing)
    probability = model._calibrated(matrix)
    coverage = evidence_coverage(matrix, model.feature_importance_)
    verdict = verdicts(probability, coverage, bands)
    scheme = model._scheme_from(matrix, probability)
    unknown = verdict == UNKNOWN
    scheme[unknown] = None

    if explain == "all":
        rows = np.arange(len(matrix))
    elif explain == "flagged":
        rows = np.flatnonzero(np.isin(verdict, [TOXIC, SUSPICIOUS, UNKNOWN]))
    else:
        rows = np.arange(0)
    use_exact = len(rows) <= EXACT_MAX_ROWS if exact is None else exact
    domain_keys = (domains[DOM.DOMAIN].astype(object).tolist()
                   if DOM.DOMAIN in domains.columns else None)
    picked = [domain_keys[i] for i in rows] if domain_keys is not None else None
    sub = matrix[rows]
    found = top_reasons(model._contributions(sub, exact=use_exact), sub, model.features_,
                        top=top, evidence=evidence, domains=picked)
    export_only = export_only_rows(matrix, model.features_)

    reasons = np.full(len(matrix), "", dtype=object)
    for i, row_reasons in zip(rows, found):
        if unknown[i]:
            text = _unknown_text(coverage[i], bands, row_reasons)
        else:
            text = join_reasons(row_reasons, empty=_NO_REASON if verdict[i] != FINE else "")
        reasons[i] = text
    for i in np.flatnonzero(export_only):
        reasons[i] = f"{reasons[i]} {EXPORT_ONLY_NOTE}" if reasons[i] else EXPORT_ONLY_NOTE

    out = domains.copy()
    out[DOM.PROBABILITY] = np.where(unknown, np.nan, probability)
    out[DOM.VERDICT] = pd.array(verdict, dtype="string")
    out[DOM.SCHEME] = pd.array(scheme, dtype="string")
    out[DOM.REASONS] = pd.array(reasons, dtype="string")
    out[DOM.MODEL_VERSION] = getattr(model, "version_", None) or UNVERSIONED
    out[DOM.MODEL_VERSION] = out[DOM.MODEL_VERSION].astype("string")
    return out


def _unknown_text(coverage: float, bands: Bands, partial) -> str:
    text = (f"too little known: {coverage:.0%} of the model's evidence is available "
            f"(needs {bands.min_coverage:.0%})")
    if coverage == 0:
        text = "no data: every feature is missing"
    if partial:
        text += "; partial evidence: " + join_reasons(partial)
    return text
