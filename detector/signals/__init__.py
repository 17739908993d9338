"""Export signals: per-referring-domain features computed from the backlink export alone.

>>> from detector.signals import export_signals, EXPORT_FEATURES, TargetSite, infer_target
"""

from detector.signals.export import (
    EVIDENCE_COLUMNS,
    EXPORT_FEATURES,
    ExportResult,
    compute_export,
    export_evidence,
    export_signals,
)
from detector.signals.target import TargetSite, infer_target

__all__ = [
    "EVIDENCE_COLUMNS",
    "EXPORT_FEATURES",
    "ExportResult",
    "TargetSite",
    "compute_export",
    "export_evidence",
    "export_signals",
    "infer_target",
]
