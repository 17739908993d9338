"""``LinkSchemeClassifier``: the scikit-learn-style estimator wrapping XGBoost.

Two heads, both gradient-boosted trees over the per-domain feature table:

* **toxic head**: binary ``binary:logistic`` booster: is the domain part of a link scheme?
  Its raw probability is calibrated (see below).
* **scheme head** (when scheme labels are given): a ``multi:softprob`` booster trained on
  the *positive* rows only, giving P(scheme type | scheme). The most likely scheme type of
  a row is the argmax over ``P(natural) = 1 - p`` and ``P(type k) = p * P(k | scheme)``,
  so the type always agrees with the toxic probability. Two heads rather than one
  multi-class model because the toxic probability, the verdict and the reasons should
  not depend on how finely the positives happen to be labelled.

**Missing values stay missing**: NaN goes to XGBoost, which learns a default branch per
split; nothing is imputed, and a failed lookup is never turned into "bad".

**Calibration**: with ``calibration="isotonic"`` (default) or ``"sigmoid"`` (Platt), a
stratified ``calibration_fraction`` of the training rows (default 20 %) is held out; the
booster trains on the rest and the calibrator is fitted on the held-out raw
probabilities, so the calibrated model is exactly the one that was calibrated (no refit).
When the held-out part would have fewer than ``min_calibration_count`` rows of either
class (small user label sets), the model is left uncalibrated and
``calibration_status_`` says why.

Learned attributes end in ``_``: ``feature_names_``, ``features_``, ``booster_``,
``calibrator_``, ``scheme_booster_``, ``scheme_classes_``, ``feature_importance_``,
``classes_``, ``version_``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split

from detector.errors import ModelError
from detector.model.calibration import CALIBRATION_METHODS, fit_calibration
from detector.model.features import describe_features, feature_matrix, infer_feature_columns
from detector.schema import Feature

__all__ = ["LinkSchemeClassifier", "NATURAL"]

NATURAL = "natural"
_BAD_XGB_NAME_CHARS = ("[", "]", "<", ",")


def xgb_feature_names(names: Sequence[str]) -> list[str] | None:
    """``names`` if XGBoost accepts them as feature names, else ``None`` (f0, f1 ...)."""
    if len(set(names)) != len(names) or any(
        not n or any(c in n for c in _BAD_XGB_NAME_CHARS) for n in names
    ):
        return None
    return list(names)


class LinkSchemeClassifier(ClassifierMixin, BaseEstimator):
    """Probability that a referring domain is part of a link scheme, and its scheme type.

    Parameters (all hyperparameters; nothing is learned in ``__init__``):

    n_estimators, max_depth, learning_rate, subsample, colsample_bytree,
    min_child_weight, reg_lambda, scale_pos_weight
        XGBoost tree-booster settings (``tree_method="hist"``).
    calibration
        ``"isotonic"``, ``"sigmoid"`` or ``None``.
    calibration_fraction
        Share of training rows held out to fit the calibrator.
    min_calibration_count
        Fewest rows of each class in the held-out part for calibration to be done.
    scheme_estimators
        Boosting rounds of the scheme-type head.
    feature_columns
        Columns to use; ``None`` = every numeric/boolean column except ``domain`` and
        result columns.
    features
        :class:`detector.schema.Feature` declarations used to describe the columns in
        reasons and in the model card (undeclared columns are described by name).
    random_state, n_jobs
        Seed and threads (default 2: the target machine has two cores).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=400), "b": np.nan})
    >>> y = (X["a"] > 0).astype(int)
    >>> model = LinkSchemeClassifier(n_estimators=20, calibration=None).fit(X, y)
    >>> model.feature_names_
    ['a', 'b']
    >>> bool(model.predict_proba(pd.DataFrame({"a": [2.0], "b": [np.nan]}))[0, 1] > 0.5)
    True
    """

    def __init__(
        self,
        n_estimators: int = 300,
        max_depth: int = 5,
        learning_rate: float = 0.1,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        min_child_weight: float = 1.0,
        reg_lambda: float = 1.0,
        scale_pos_weight: float = 1.0,
        calibration: str | None = "isotonic",
        calibration_fraction: float = 0.2,
        min_calibration_count: int = 20,
        scheme_estimators: int = 150,
        feature_columns: Sequence[str] | None = None,
        features: Sequence[Feature] | None = None,
        random_state: int = 0,
        n_jobs: int = 2,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.scale_pos_weight = scale_pos_weight
        self.calibration = calibration
        self.calibration_fraction = calibration_fraction
        self.min_calibration_count = min_calibration_count
        self.scheme_estimators = scheme_estimators
        self.feature_columns = feature_columns
        self.features = features
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ sklearn plumbing
    def __sklearn_tags__(self):  # noqa: D105 - sklearn protocol
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = False
        return tags

    def _booster_params(self) -> dict:
        return {
            "tree_method": "hist",
            "max_depth": self.max_depth,
            "eta": self.learning_rate,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "min_child_weight": self.min_child_weight,
            "lambda": self.reg_lambda,
            "seed": self.random_state,
            "nthread": self.n_jobs,
            "verbosity": 0,
        }

    def _as_frame(self, X) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            return X
        array = np.asarray(X, dtype=np.float64)
        if array.ndim != 2:
            raise ModelError(f"expected a 2-D feature table, got shape {array.shape}")
        return pd.DataFrame(array, columns=[f"f{i}" for i in range(array.shape[1])])

    def matrix(self, X, *, fill_missing: bool = False) -> np.ndarray:
        """The model's feature columns of ``X`` as float32 (NaN kept)."""
        self._check_fitted()
        return feature_matrix(self._as_frame(X), self.feature_names_, fill_missing=fill_missing)

    def _check_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("LinkSchemeClassifier is not fitted yet; call fit() first")

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, scheme=None, base_model: "LinkSchemeClassifier | None" = None):
        """Learn from a feature table ``X``, labels ``y`` (0/1, or two distinct values).

        ``scheme``: optional scheme-type label per row (strings; used on positive rows).
        ``base_model``: a fitted classifier to fine-tune: boosting continues from its
        trees (``n_estimators`` more rounds) on the same feature columns.
        Features are ``feature_columns``, else every numeric column of ``X`` except
        ``domain``, result columns and a column that *is* ``y`` or ``scheme`` (a Series
        taken from ``X``).
        """
        frame = self._as_frame(X)
        # fit(frame, frame["label"]): the label column is never a feature of itself
        label_columns = [s.name for s in (y, scheme) if _is_column_of(s, frame)]
        names = list(self.feature_columns) if self.feature_columns is not None else (
            infer_feature_columns(frame, exclude=label_columns))
        if base_model is not None:
            base_model._check_fitted()
            if list(base_model.feature_names_) != names:
                raise ModelError(_mismatch_message(base_model.feature_names_, names,
                                                   "the base model", "the training table"))
        if not names:
            raise ModelError("the training table has no numeric feature columns")
        matrix = feature_matrix(frame, names)
        labels = np.asarray(y)
        if len(labels) != len(matrix):
            raise ModelError(f"{len(labels)} labels for {len(matrix)} rows")
        classes = np.unique(labels)
        if len(classes) != 2:
            raise ModelError(f"need exactly two label values (0/1), got {classes.tolist()}")
        target = (labels == classes[1]).astype(np.float32)

        self.classes_ = classes
        self.feature_names_ = names
        self.n_features_in_ = len(names)
        self.features_ = describe_features(names, self.features)
        self.version_ = None

        fit_rows, cal_rows, self.calibration_status_ = self._calibration_split(target)
        params = dict(self._booster_params(), objective="binary:logistic",
                      eval_metric="logloss", scale_pos_weight=self.scale_pos_weight)
        xgb_names = xgb_feature_names(names)
        dtrain = xgb.DMatrix(matrix[fit_rows], label=target[fit_rows], missing=np.nan,
                             feature_names=xgb_names)
        start = base_model.booster_.copy() if base_model is not None else None
        self.booster_ = xgb.train(params, dtrain, num_boost_round=self.n_estimators,
                                  xgb_model=start)
        self.calibrator_ = None
        if cal_rows is not None:
            raw = self.booster_.inplace_predict(matrix[cal_rows])
            self.calibrator_ = fit_calibration(self.calibration, raw, target[cal_rows])
        self.feature_importance_ = self._importance(xgb_names)
        self._fit_scheme_head(matrix, target, scheme, xgb_names, base_model)
        return self

    def _calibration_split(self, target: np.ndarray):
        everything = np.arange(len(target))
        if self.calibration is None:
            return everything, None, "not calibrated (calibration=None)"
        if self.calibration not in CALIBRATION_METHODS:
            raise ModelError(f"calibration must be one of {CALIBRATION_METHODS} or None, "
                             f"got {self.calibration!r}")
        expected = min(target.sum(), len(target) - target.sum()) * self.calibration_fraction
        if expected < self.min_calibration_count:
            status = (f"not calibrated: the held-out {self.calibration_fraction:.0%} would hold "
                      f"about {expected:.0f} rows of the rarer class, fewer than "
                      f"{self.min_calibration_count}")
            warnings.warn(status, stacklevel=3)
            return everything, None, status
        fit_rows, cal_rows = train_test_split(
            everything, test_size=self.calibration_fraction, stratify=target,
            random_state=self.random_state)
        status = (f"{self.calibration} calibration fitted on a stratified held-out "
                  f"{self.calibration_fraction:.0%} of the training rows ({len(cal_rows)} rows)")
        return np.sort(fit_rows), np.sort(cal_rows), status

    def _importance(self, xgb_names: list[str] | None) -> np.ndarray:
        scores = self.booster_.get_score(importance_type="total_gain")
        keys = xgb_names or [f"f{i}" for i in range(len(self.feature_names_))]
        weights = np.array([scores.get(k, 0.0) for k in keys], dtype=np.float64)
        total = weights.sum()
        return weights / total if total > 0 else weights

    def _fit_scheme_head(self, matrix, target, scheme, xgb_names, base_model) -> None:
        self.scheme_booster_ = None
        self.scheme_classes_ = []
        if scheme is None:
            if base_model is not None:
                self.scheme_booster_ = base_model.scheme_booster_
                self.scheme_classes_ = list(base_model.scheme_classes_)
            return
        kinds = pd.Series(np.asarray(scheme, dtype=object)).astype("string")
        typed = kinds.notna().to_numpy() & (kinds != NATURAL).fillna(False).to_numpy()
        usable = (target == 1) & typed
        classes = sorted(set(kinds[usable].tolist()))
        self.scheme_classes_ = classes
        if len(classes) < 2:
            return  # zero or one type: the type is known without a model
        codes = kinds[usable].map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=np.float32)
        params = dict(self._booster_params(), objective="multi:softprob",
                      num_class=len(classes), eval_metric="mlogloss")
        dtrain = xgb.DMatrix(matrix[usable], label=codes, missing=np.nan, feature_names=xgb_names)
        self.scheme_booster_ = xgb.train(params, dtrain, num_boost_round=self.scheme_estimators)

    # ------------------------------------------------------------------ predict
    def raw_proba(self, X, *, fill_missing: bool = False) -> np.ndarray:
        """Uncalibrated booster probability of the positive class, per row."""
        return self._raw(self.matrix(X, fill_missing=fill_missing))

    def _raw(self, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster_.inplace_predict(matrix, missing=np.nan),
                          dtype=np.float64)

    def _calibrated(self, matrix: np.ndarray) -> np.ndarray:
        raw = self._raw(matrix)
        return self.calibrator_.apply(raw) if self.calibrator_ is not None else raw

    def predict_proba(self, X, *, fill_missing: bool = False) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2): columns ``classes_`` (natural, scheme)."""
        p = self._calibrated(self.matrix(X, fill_missing=fill_missing))
        return np.column_stack([1.0 - p, p])

    def predict(self, X, *, fill_missing: bool = False) -> np.ndarray:
        """Label per row (``classes_[1]`` when the calibrated probability >= 0.5)."""
        p = self.predict_proba(X, fill_missing=fill_missing)[:, 1]
        return self.classes_[(p >= 0.5).astype(int)]

    def scheme_proba(self, matrix: np.ndarray, p: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Labels and joint probabilities ``[P(natural), P(type_k)...]`` per row."""
        labels = [NATURAL] + list(self.scheme_classes_)
        if self.scheme_booster_ is not None:
            given = np.asarray(self.scheme_booster_.inplace_predict(matrix, missing=np.nan),
                               dtype=np.float64).reshape(len(matrix), -1)
        elif self.scheme_classes_:
            given = np.ones((len(matrix), 1))
        else:
            given = np.zeros((len(matrix), 0))
        return labels, np.column_stack([1.0 - p, p[:, None] * given])

    def predict_scheme(self, X, *, fill_missing: bool = False) -> np.ndarray:
        """Most likely scheme type per row, or ``None`` for a likely scheme whose type the
        model cannot tell (trained without scheme labels)."""
        matrix = self.matrix(X, fill_missing=fill_missing)
        return self._scheme_from(matrix, self._calibrated(matrix))

    def _scheme_from(self, matrix: np.ndarray, p: np.ndarray) -> np.ndarray:
        # a type k beats "natural" only when p * P(k | scheme) > 1 - p, so only when
        # p > 0.5: the (costly) scheme head runs on those rows alone
        best = np.full(len(p), NATURAL, dtype=object)
        likely = np.flatnonzero(p > 0.5)
        if not self.scheme_classes_:
            best[likely] = None
        elif len(likely):
            labels, joint = self.scheme_proba(matrix[likely], p[likely])
            best[likely] = np.asarray(labels, dtype=object)[joint.argmax(axis=1)]
        return best

    def contributions(self, X, *, exact: bool = True, fill_missing: bool = False) -> np.ndarray:
        """Per-feature contributions to the raw log-odds, shape (n, n_features).

        ``exact=True`` is TreeSHAP (``pred_contribs``); ``exact=False`` the much faster
        Saabas approximation (``approx_contribs``). The bias column is dropped.
        """
        return self._contributions(self.matrix(X, fill_missing=fill_missing), exact=exact)

    def _contributions(self, matrix: np.ndarray, *, exact: bool) -> np.ndarray:
        if len(matrix) == 0:
            return np.zeros((0, len(self.feature_names_)))
        data = xgb.DMatrix(matrix, missing=np.nan,
                           feature_names=xgb_feature_names(self.feature_names_))
        values = self.booster_.predict(data, pred_contribs=True, approx_contribs=not exact)
        return np.asarray(values, dtype=np.float64)[:, :-1]

    def explain(self, X, top: int = 3, *, evidence=None, domains=None, exact: bool = True,
                fill_missing: bool = False):
        """Top reasons per row: a list of :class:`detector.model.reasons.Reason` lists.

        Only non-missing features whose contribution pushes toward "scheme" are reasons.
        ``evidence`` (domain -> sentences) and ``domains`` (one key per row) let the
        network stage's concrete findings replace the generic sentence.
        """
        from detector.model.reasons import top_reasons

        matrix = self.matrix(X, fill_missing=fill_missing)
        if domains is None and isinstance(X, pd.DataFrame) and "domain" in X.columns:
            domains = X["domain"].tolist()
        return top_reasons(self._contributions(matrix, exact=exact), matrix, self.features_,
                           top=top, evidence=evidence, domains=domains)


def _is_column_of(values, frame: pd.DataFrame) -> bool:
    """True when ``values`` is a Series holding exactly one of ``frame``'s columns."""
    if not isinstance(values, pd.Series) or values.name not in frame.columns:
        return False
    column = frame[values.name]
    return len(column) == len(values) and column.reset_index(drop=True).equals(
        values.reset_index(drop=True))


def _mismatch_message(expected: Sequence[str], got: Sequence[str], expected_what: str,
                      got_what: str) -> str:
    missing = [n for n in expected if n not in set(got)]
    extra = [n for n in got if n not in set(expected)]
    parts = [f"features of {got_what} do not match {expected_what}"]
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    if extra:
        parts.append(f"extra: {', '.join(extra)}")
    if not missing and not extra:
        parts.append("same names in a different order")
    return "; ".join(parts)
