"""linkdetector: find toxic links and link schemes in a site's backlink exports.

The public API, in the order data flows::

    audit = audit_exports(paths, offline=True)        # read -> signals -> verdicts
    merged = disavow_for(audit.domains, existing="old.txt", allowlist="allow.txt")
    write_disavow(merged.file, "disavow.txt")

Each stage is also callable on its own (``read_exports``, ``export_signals``,
``rule_verdicts``, ``build_disavow`` / ``merge_disavow`` ...). Everything not listed in
``__all__`` is implementation and may change.
"""

__version__ = "0.1.0"

from detector.disavow import (  # noqa: E402
    DisavowEntry,
    DisavowFile,
    MergeResult,
    build_disavow,
    merge_disavow,
    parse_disavow,
    read_allowlist,
    render_disavow,
    validate_disavow,
    write_disavow,
)
from detector.enrich.base import NetworkConfig  # noqa: E402
from detector.errors import (  # noqa: E402
    DetectorError,
    DisavowValidationError,
    EmptyInputError,
    InputError,
    MalformedRowsError,
    ModelError,
    UnrecognisedFormatError,
)
from detector.ingest import known_formats, read_export, read_exports  # noqa: E402
from detector.keys import domain_key, host_of  # noqa: E402
from detector.output import write_table  # noqa: E402
from detector.pipeline import Audit, audit_exports, disavow_for  # noqa: E402
from detector.review import read_reviewed  # noqa: E402
from detector.signals.export import EXPORT_FEATURES, export_signals  # noqa: E402
from detector.signals.target import TargetSite, infer_target  # noqa: E402
from detector.verdicts.rules import rule_verdicts  # noqa: E402

__all__ = [
    "__version__",
    # the main job
    "audit_exports", "disavow_for", "Audit",
    # stages
    "read_export", "read_exports", "known_formats",
    "export_signals", "EXPORT_FEATURES", "TargetSite", "infer_target",
    "rule_verdicts",
    "enrich", "EnrichmentResult", "NetworkConfig",
    "find_networks",
    "LinkSchemeClassifier", "score_domains", "load_model", "train_from_labels",
    "DecisionStore", "apply_decisions",
    "parse_disavow", "build_disavow", "merge_disavow", "validate_disavow",
    "render_disavow", "write_disavow", "read_allowlist",
    "DisavowEntry", "DisavowFile", "MergeResult",
    "read_reviewed", "write_table",
    "domain_key", "host_of",
    # errors
    "DetectorError", "InputError", "EmptyInputError", "UnrecognisedFormatError",
    "MalformedRowsError", "DisavowValidationError", "ModelError",
]


#: Names whose modules are heavy to import (XGBoost, aiohttp, scipy): loaded on first use,
#: so ``import detector`` and ``detector formats`` stay quick.
_LAZY = {
    "enrich": "detector.enrich.run",
    "EnrichmentResult": "detector.enrich.run",
    "find_networks": "detector.network",
    "LinkSchemeClassifier": "detector.model",
    "score_domains": "detector.model",
    "load_model": "detector.model",
    "train_from_labels": "detector.model",
    "DecisionStore": "detector.decisions",
    "apply_decisions": "detector.decisions",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detector' has no attribute {name!r}")
