"""Learning from the user: retrain or fine-tune on their labels, or train on any table.

* :func:`train_from_labels`: the user's labels (reviewed CSV, disavow + allowlist, or app
  decisions; see :mod:`detector.model.labels`) joined to the Domains feature table by
  domain. ``mode="retrain"`` fits a fresh model with the base model's hyperparameters
  and feature columns; ``mode="finetune"`` continues boosting from the base model's trees.
  The report compares, on the user's own labels, the new model's *cross-validated*
  (out-of-fold) probabilities with the base model's probabilities on the same rows.
  (When the base model was itself trained on some of these domains its figures are
  optimistic; the report cannot know that.) The final model is fitted on every label and
  saved as a new version.
* :func:`train_on_table`: a labelled feature table from elsewhere (any numeric columns
  plus a label, e.g. a published web-spam benchmark): cross-validated evaluation with the
  same pipeline and report, then a final fit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from detector.errors import InputError, ModelError
from detector.model.artifact import save_to_registry
from detector.model.bands import TOXIC_THRESHOLD
from detector.model.estimator import LinkSchemeClassifier
from detector.model.evaluate import (
    METRIC_COLUMNS,
    EvaluationReport,
    evaluate_probabilities,
    group_metrics,
    groups_by,
)
from detector.model.features import infer_feature_columns
from detector.model.labels import label_value
from detector.schema import DOM, Feature

__all__ = ["TrainReport", "train_from_labels", "train_on_table", "cross_validated_proba"]


@dataclass
class TrainReport:
    """What training produced and how it compares, on the user's own labels."""

    model: LinkSchemeClassifier  #: the final model, fitted on every label
    n_labels: int  #: labelled rows used
    n_positive: int  #: of which part of a scheme
    n_negative: int  #: of which natural
    folds: int  #: cross-validation folds actually used
    comparison: pd.DataFrame  #: rows "new (cross-validated)" and, if any, "base"; metric columns
    evaluation: EvaluationReport  #: full report of the new model's out-of-fold probabilities
    unmatched: list[str] = field(default_factory=list)  #: labelled domains absent from the table
    version: str | None = None  #: version the new model was saved as
    path: Path | None = None  #: folder it was saved in
    base_version: str | None = None  #: version of the base model compared against

    def to_text(self) -> str:
        """A plain-text summary for the CLI."""
        lines = [f"trained on {self.n_labels} labelled domains ({self.n_positive} scheme, "
                 f"{self.n_negative} natural), {self.folds}-fold cross-validation"]
        if self.unmatched:
            shown = ", ".join(self.unmatched[:5]) + (" ..." if len(self.unmatched) > 5 else "")
            lines.append(f"{len(self.unmatched)} labelled domains are not in the feature "
                         f"table and were ignored: {shown}")
        lines.append(self.comparison.to_string(float_format=lambda v: f"{v:.3f}"))
        if self.version:
            lines.append(f"saved as version {self.version} in {self.path}")
        return "\n".join(lines)

    __str__ = to_text


def _folds(y: np.ndarray, cv: int) -> int:
    smaller = int(min(y.sum(), len(y) - y.sum()))
    if smaller < 2:
        raise InputError(f"need at least 2 labelled domains of each class to train and "
                         f"cross-validate; got {int(y.sum())} scheme and "
                         f"{int(len(y) - y.sum())} natural")
    return max(2, min(cv, smaller))


def cross_validated_proba(template: LinkSchemeClassifier, X: pd.DataFrame, y: np.ndarray,
                          scheme=None, *, folds: int = 5, random_state: int = 0,
                          base_model: LinkSchemeClassifier | None = None) -> np.ndarray:
    """Out-of-fold calibrated probabilities of ``clone(template)`` (stratified folds)."""
    out = np.full(len(y), np.nan)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    schemes = None if scheme is None else np.asarray(scheme, dtype=object)
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        model = clone(template)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            model.fit(X.iloc[train_rows], y[train_rows],
                      scheme=None if schemes is None else schemes[train_rows],
                      base_model=base_model)
        out[test_rows] = model.predict_proba(X.iloc[test_rows])[:, 1]
    return out


def _comparison(y: np.ndarray, new: np.ndarray, base: np.ndarray | None) -> pd.DataFrame:
    rows = {"new (cross-validated)": group_metrics(y, new, TOXIC_THRESHOLD)}
    if base is not None:
        rows["base"] = group_metrics(y, base, TOXIC_THRESHOLD)
    return pd.DataFrame.from_dict(rows, orient="index")[list(METRIC_COLUMNS)]


def _label_array(values, where: str) -> np.ndarray:
    out = []
    for i, v in enumerate(values):
        try:
            out.append(label_value(v))
        except ValueError:
            raise InputError(f"{where}, row {i + 1}: {v!r} is not a label (expected 0/1, "
                             "true/false, spam/nonspam, toxic/fine ...)") from None
    return np.asarray(out, dtype=np.float64)


def train_from_labels(domains_features: pd.DataFrame, labels: pd.Series | Mapping[str, object],
                      *, base_model: LinkSchemeClassifier | None = None,
                      mode: str = "retrain", features: Sequence[Feature] | None = None,
                      params: Mapping | None = None, cv: int = 5, random_state: int = 0,
                      save: bool = True, models_dir: str | Path | None = None,
                      version: str | None = None) -> TrainReport:
    """Train on the user's labels (domain -> 0/1 or a label word) and report.

    ``domains_features``: the Domains frame (``domain`` + feature columns).
    ``base_model``: the model in use (normally the default); compared against, and the
    starting point for ``mode="finetune"``. ``params``: hyperparameters for a model
    trained without a base. ``save``: save the final model as a new version under
    ``models_dir`` (default: the user model directory).
    """
    if mode not in ("retrain", "finetune"):
        raise ValueError(f"mode must be 'retrain' or 'finetune', got {mode!r}")
    if mode == "finetune" and base_model is None:
        raise ModelError("mode='finetune' needs a base_model to continue from")
    if DOM.DOMAIN not in domains_features.columns:
        raise InputError(f"the feature table has no {DOM.DOMAIN!r} column")
    labels = pd.Series(labels, dtype=object)
    values = _label_array(labels.to_numpy(), "labels")
    labels = pd.Series(values, index=labels.index.astype(str)).dropna()
    keys = domains_features[DOM.DOMAIN].astype(str)
    labelled = keys.isin(labels.index).to_numpy()
    unmatched = sorted(set(labels.index) - set(keys))
    table = domains_features.loc[labelled].reset_index(drop=True)
    y = keys[labelled].map(labels).to_numpy(dtype=int)
    folds = _folds(y, cv)

    if base_model is not None:
        template = clone(base_model).set_params(feature_columns=list(base_model.feature_names_))
    else:
        template = LinkSchemeClassifier(**dict(params or {}), features=features,
                                        random_state=random_state)
    start = base_model if mode == "finetune" else None
    fill = base_model is not None
    X = _with_columns(table, template.feature_columns) if fill else table
    new = cross_validated_proba(template, X, y, folds=folds, random_state=random_state,
                                base_model=start)
    base = base_model.predict_proba(X, fill_missing=True)[:, 1] if base_model else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = clone(template).fit(X, y, base_model=start)

    comparison = _comparison(y, new, base)
    base_version = getattr(base_model, "version_", None) if base_model else None
    report = TrainReport(model, len(y), int(y.sum()), int(len(y) - y.sum()), folds,
                         comparison, evaluate_probabilities(y, new), unmatched,
                         base_version=base_version)
    if save:
        card = {
            "training_data": (f"{len(y)} domains labelled by the user ({report.n_positive} "
                              f"scheme, {report.n_negative} natural); mode {mode}"
                              + (f" from base model {base_version}" if base_version else "")),
            "metrics": {"cross_validated": comparison.round(4).to_dict(orient="index"),
                        "folds": folds},
            "base_model": base_version,
        }
        report.path = save_to_registry(model, models_dir, version=version, card_extra=card)
        report.version = model.version_
    return report


def _with_columns(frame: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    """``frame`` with every column in ``columns`` present (absent ones all-NaN: never
    looked up)."""
    missing = [c for c in (columns or ()) if c not in frame.columns]
    if not missing:
        return frame
    extra = pd.DataFrame(np.nan, index=frame.index, columns=missing)
    return pd.concat([frame, extra], axis=1)


def train_on_table(frame: pd.DataFrame, label_column: str, *,
                   feature_columns: Sequence[str] | None = None,
                   features: Sequence[Feature] | None = None,
                   scheme_column: str | None = None,
                   groups: Mapping[str, np.ndarray] | Sequence[str] | None = None,
                   params: Mapping | None = None, cv: int = 5, random_state: int = 0,
                   save_dir: str | Path | None = None,
                   version: str | None = None) -> TrainReport:
    """Cross-validate and fit on a labelled feature table from anywhere.

    ``label_column``: 0/1, booleans or label words (spam/nonspam ...); rows with a
    skipped label (undecided, empty) are dropped. ``feature_columns``: default every
    numeric column except the label, ``domain`` and result columns. ``groups``: masks by
    name, or column names whose values define groups (``"difficulty"`` gives
    ``difficulty=easy`` ...). ``save_dir``: when given, save the final model there as a
    new version.
    """
    if label_column not in frame.columns:
        raise InputError(f"the table has no label column {label_column!r}; columns: "
                         f"{', '.join(map(str, frame.columns))}")
    values = _label_array(frame[label_column].to_numpy(dtype=object), f"column {label_column!r}")
    keep = ~np.isnan(values)
    table = frame.loc[keep].reset_index(drop=True)
    y = values[keep].astype(int)
    excluded = [label_column] + ([scheme_column] if scheme_column else [])
    columns = list(feature_columns) if feature_columns is not None else (
        infer_feature_columns(table, exclude=excluded))
    template = LinkSchemeClassifier(**dict(params or {}), feature_columns=columns,
                                    features=features, random_state=random_state)
    scheme = table[scheme_column].to_numpy(dtype=object) if scheme_column else None
    folds = _folds(y, cv)
    new = cross_validated_proba(template, table, y, scheme, folds=folds,
                                random_state=random_state)
    masks: dict[str, np.ndarray] = {}
    if isinstance(groups, Mapping):
        masks = {k: np.asarray(v, dtype=bool)[keep] for k, v in groups.items()}
    elif groups is not None:
        for column in groups:
            masks.update(groups_by(table[column].to_numpy(dtype=object), f"{column}="))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = clone(template).fit(table, y, scheme=scheme)
    report = TrainReport(model, len(y), int(y.sum()), int(len(y) - y.sum()), folds,
                         _comparison(y, new, None), evaluate_probabilities(y, new, masks))
    if save_dir is not None:
        card = {"training_data": f"labelled feature table, {len(y)} rows, label column "
                                 f"{label_column!r}",
                "metrics": {"cross_validated": report.comparison.round(4)
                            .to_dict(orient="index"), "folds": folds}}
        report.path = save_to_registry(model, save_dir, version=version, card_extra=card)
        report.version = model.version_
    return report
