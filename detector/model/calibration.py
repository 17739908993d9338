"""Probability calibration stored as plain JSON (no pickle).

XGBoost's raw probabilities are often over- or under-confident. A calibrator maps them
to probabilities that match observed rates, fitted on rows the booster did not train on:

* ``isotonic``: a monotone step/linear map (``IsotonicRegression``), stored as its knots
  and applied with ``np.interp`` (clipped at both ends), exactly like scikit-learn's.
* ``sigmoid`` (Platt): ``p = 1 / (1 + exp(-(a * logit(raw) + b)))``, stored as ``a``, ``b``.

>>> cal = PlattCalibration(a=1.0, b=0.0)
>>> float(cal.apply(np.array([0.25]))[0])
0.25
>>> calibration_from_json(cal.to_json()) == cal
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detector.errors import ModelError

__all__ = [
    "IsotonicCalibration",
    "PlattCalibration",
    "fit_calibration",
    "calibration_from_json",
    "CALIBRATION_METHODS",
]

CALIBRATION_METHODS = ("isotonic", "sigmoid")
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class IsotonicCalibration:
    """Isotonic map from raw to calibrated probability, as knots ``x`` -> ``y``."""

    x: tuple[float, ...]  #: raw probabilities (increasing)
    y: tuple[float, ...]  #: calibrated probabilities at ``x`` (non-decreasing)
    method: str = "isotonic"

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw probabilities ``raw``."""
        return np.interp(np.asarray(raw, dtype=np.float64), self.x, self.y)

    def to_json(self) -> dict:
        """A JSON-ready dict."""
        return {"method": self.method, "x": list(self.x), "y": list(self.y)}


@dataclass(frozen=True)
class PlattCalibration:
    """Platt scaling on the raw log-odds: ``sigmoid(a * logit(raw) + b)``."""

    a: float  #: slope on the raw log-odds
    b: float  #: intercept
    method: str = "sigmoid"

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw probabilities ``raw``."""
        return 1.0 / (1.0 + np.exp(-(self.a * _logit(raw) + self.b)))

    def to_json(self) -> dict:
        """A JSON-ready dict."""
        return {"method": self.method, "a": self.a, "b": self.b}


Calibration = IsotonicCalibration | PlattCalibration


def fit_calibration(method: str, raw: np.ndarray, y: np.ndarray) -> Calibration:
    """Fit a calibrator of ``method`` on held-out raw probabilities and 0/1 labels."""
    raw = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y)
        return IsotonicCalibration(tuple(map(float, iso.X_thresholds_)),
                                   tuple(map(float, iso.y_thresholds_)))
    if method == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6).fit(_logit(raw).reshape(-1, 1), y)
        return PlattCalibration(float(lr.coef_[0, 0]), float(lr.intercept_[0]))
    raise ModelError(f"unknown calibration method {method!r}; expected one of "
                     f"{', '.join(CALIBRATION_METHODS)} or None")


def calibration_from_json(data: dict | None) -> Calibration | None:
    """Rebuild a calibrator from :meth:`to_json` output (``None`` stays ``None``)."""
    if data is None:
        return None
    method = data.get("method")
    try:
        if method == "isotonic":
            return IsotonicCalibration(tuple(map(float, data["x"])), tuple(map(float, data["y"])))
        if method == "sigmoid":
            return PlattCalibration(float(data["a"]), float(data["b"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"calibration record is malformed ({exc}): {data!r}") from None
    raise ModelError(f"unknown calibration method {method!r} in calibration record")
