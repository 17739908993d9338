"""The classifier: XGBoost over the per-domain feature table, as a versioned artifact.

Public surface::

    LinkSchemeClassifier        scikit-learn estimator (fit, predict_proba, predict_scheme, explain)
    score_domains(domains, model)  -> Domains frame + probability, verdict, scheme, reasons, version
    save_model / load_model / load_default_model / save_to_registry / list_models
    train_from_labels / train_on_table  -> TrainReport
    labels_from_csv / labels_from_disavow / labels_from_decisions
    evaluate / evaluate_probabilities  -> EvaluationReport
    Bands, TOXIC_THRESHOLD, SUSPICIOUS_THRESHOLD, MIN_COVERAGE

See ``docs/model.md`` for the design and the thresholds.
"""

from detector.model.artifact import (
    list_models,
    load_default_model,
    load_model,
    save_model,
    save_to_registry,
    user_models_dir,
)
from detector.model.bands import MIN_COVERAGE, SUSPICIOUS_THRESHOLD, TOXIC_THRESHOLD, Bands
from detector.model.estimator import LinkSchemeClassifier
from detector.model.evaluate import (
    EvaluationReport,
    evaluate,
    evaluate_probabilities,
    groups_by,
    scheme_groups,
)
from detector.model.labels import labels_from_csv, labels_from_decisions, labels_from_disavow
from detector.model.reasons import EXPORT_ONLY_NOTE, Reason
from detector.model.scoring import score_domains
from detector.model.train import TrainReport, train_from_labels, train_on_table

__all__ = [
    "Bands",
    "EXPORT_ONLY_NOTE",
    "EvaluationReport",
    "LinkSchemeClassifier",
    "MIN_COVERAGE",
    "Reason",
    "SUSPICIOUS_THRESHOLD",
    "TOXIC_THRESHOLD",
    "TrainReport",
    "evaluate",
    "evaluate_probabilities",
    "groups_by",
    "labels_from_csv",
    "labels_from_decisions",
    "labels_from_disavow",
    "list_models",
    "load_default_model",
    "load_model",
    "save_model",
    "save_to_registry",
    "scheme_groups",
    "score_domains",
    "train_from_labels",
    "train_on_table",
    "user_models_dir",
]
