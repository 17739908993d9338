"""Verdict bands: from a calibrated probability and the evidence behind it to a verdict.

Thresholds (on the *calibrated* probability that a domain is part of a link scheme):

==============  =====================================  ===================================
verdict         rule                                   meaning
==============  =====================================  ===================================
``unknown``     evidence coverage < ``MIN_COVERAGE``    too little is known to judge
``toxic``       probability >= ``TOXIC_THRESHOLD``      clear scheme: goes into disavow.txt
``suspicious``  probability >= ``SUSPICIOUS_THRESHOLD``  worth a human look, not disavowed
``fine``        otherwise                              natural or merely low value: leave it
==============  =====================================  ===================================

``TOXIC_THRESHOLD = 0.80``: a calibrated 0.8 means about four in five such domains are
schemes; Google advises disavowing only clear schemes, and disavowing good links costs
rankings, so the bar is high. ``SUSPICIOUS_THRESHOLD = 0.40``.

**Evidence coverage** of a row is the share of the model's feature importance (total
gain, normalised to sum 1) carried by features that are *not* missing in that row. A
domain whose lookups all failed and whose export row is thin has low coverage; its
probability is then mostly the prior, so the verdict is ``unknown`` (and the probability
column is NaN, as the schema says) instead of a guess. ``MIN_COVERAGE = 0.25``. A failed
lookup is never evidence of toxicity.

>>> import numpy as np
>>> verdicts(np.array([0.9, 0.5, 0.1, 0.99]), np.array([1.0, 1.0, 1.0, 0.1])).tolist()
['toxic', 'suspicious', 'fine', 'unknown']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detector.schema import FINE, SUSPICIOUS, TOXIC, UNKNOWN

__all__ = [
    "TOXIC_THRESHOLD",
    "SUSPICIOUS_THRESHOLD",
    "MIN_COVERAGE",
    "Bands",
    "DEFAULT_BANDS",
    "evidence_coverage",
    "verdicts",
]

TOXIC_THRESHOLD = 0.80
SUSPICIOUS_THRESHOLD = 0.40
MIN_COVERAGE = 0.25


@dataclass(frozen=True)
class Bands:
    """The thresholds that turn probability and coverage into a verdict."""

    toxic: float = TOXIC_THRESHOLD  #: calibrated probability at and above which: toxic
    suspicious: float = SUSPICIOUS_THRESHOLD  #: at and above which (below toxic): suspicious
    min_coverage: float = MIN_COVERAGE  #: evidence coverage below which: unknown

    def __post_init__(self) -> None:
        if not 0.0 <= self.suspicious <= self.toxic <= 1.0:
            raise ValueError(f"need 0 <= suspicious <= toxic <= 1, got {self}")
        if not 0.0 <= self.min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be in [0, 1], got {self.min_coverage}")

    def to_json(self) -> dict:
        """A JSON-ready dict (for the model card)."""
        return {"toxic": self.toxic, "suspicious": self.suspicious,
                "min_coverage": self.min_coverage}


DEFAULT_BANDS = Bands()


def evidence_coverage(matrix: np.ndarray, importance: np.ndarray) -> np.ndarray:
    """Per row, the share of ``importance`` (one weight per column) on non-NaN values.

    ``importance`` need not be normalised; all-zero importance gives coverage 1 (a model
    that uses nothing cannot be missing anything).
    """
    weights = np.asarray(importance, dtype=np.float64)
    total = weights.sum()
    if total <= 0:
        return np.ones(len(matrix))
    return (~np.isnan(matrix)).astype(np.float64) @ (weights / total)


def verdicts(probability: np.ndarray, coverage: np.ndarray,
             bands: Bands = DEFAULT_BANDS) -> np.ndarray:
    """Verdict per row (object array of ``toxic``/``suspicious``/``fine``/``unknown``)."""
    p = np.asarray(probability, dtype=np.float64)
    out = np.where(p >= bands.toxic, TOXIC, np.where(p >= bands.suspicious, SUSPICIOUS, FINE))
    out = np.where(np.isnan(p) | (np.asarray(coverage) < bands.min_coverage), UNKNOWN, out)
    return out.astype(object)
