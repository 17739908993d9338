"""The model as an artifact: XGBoost JSON, calibrator JSON and a model card, by version.

One folder per version::

    <version>/
        model.json         toxic head, XGBoost's own JSON (``Booster.save_model``)
        scheme.json        scheme-type head, XGBoost JSON (only when one was trained)
        calibration.json   isotonic knots or Platt a/b, or null (no pickle anywhere)
        card.json          the model card, machine-readable (see ``card_record``)
        card.md            the same card for people

Registries: default models ship under ``detector/data/models/<version>/``; models trained
on a user's labels go to the user directory (``$DETECTOR_MODELS_DIR``, else
``$XDG_DATA_HOME/detector/models``, else ``~/.local/share/detector/models``) as
``user-YYYYMMDD-HHMMSS``. ``load_model`` takes a folder or a version name.

Loading checks that the card, the booster and (when given) the caller's feature list
agree, and raises :class:`detector.errors.ModelError` naming the missing and extra
columns when they do not; it also checks each file's SHA-256 against the card.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import xgboost as xgb

from detector.errors import ModelError
from detector.model.bands import DEFAULT_BANDS
from detector.model.calibration import calibration_from_json
from detector.model.estimator import LinkSchemeClassifier, _mismatch_message
from detector.model.features import feature_names_of
from detector.schema import Feature

__all__ = [
    "CARD_FORMAT",
    "DEFAULT_MODELS_DIR",
    "save_model",
    "save_to_registry",
    "load_model",
    "load_default_model",
    "user_models_dir",
    "new_version",
    "list_models",
    "default_model_version",
    "read_card",
]

CARD_FORMAT = 1
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
_NOT_PARAMS = ("features",)  # stored as the card's feature list instead


def user_models_dir() -> Path:
    """Where models trained on the user's labels are saved (see module docstring)."""
    if os.environ.get("DETECTOR_MODELS_DIR"):
        return Path(os.environ["DETECTOR_MODELS_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "detector" / "models"


def new_version(root: Path, prefix: str = "user", now: datetime | None = None) -> str:
    """A fresh version name ``<prefix>-YYYYMMDD-HHMMSS`` not yet used under ``root``
    (``-2``, ``-3`` ... appended when that second is taken)."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    version, n = f"{prefix}-{stamp}", 1
    while (Path(root) / version).exists():
        n += 1
        version = f"{prefix}-{stamp}-{n}"
    return version


def _check_version_name(version: str) -> None:
    if not version or any(c in version for c in "/\\") or version in (".", ".."):
        raise ModelError(f"invalid model version {version!r}: use letters, digits, - . _")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _json_safe(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def card_record(model: LinkSchemeClassifier, version: str, files: Mapping[str, str],
                card_extra: Mapping | None = None) -> dict:
    """The machine-readable model card of a fitted ``model``.

    ``card_extra`` adds or overrides keys; by convention ``training_data`` (how the
    labelled data was made), ``metrics`` (evaluation figures) and ``notes``.
    """
    import detector

    params = {k: v for k, v in model.get_params().items() if k not in _NOT_PARAMS}
    card = {
        "format": CARD_FORMAT,
        "version": version,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "detector_version": getattr(detector, "__version__", "unknown"),
        "xgboost_version": xgb.__version__,
        "parameters": _json_safe(params),
        "classes": _json_safe(list(model.classes_)),
        "features": [
            {"name": f.name, "description": f.description, "family": f.family,
             "importance": float(w)}
            for f, w in zip(model.features_, model.feature_importance_)
        ],
        "scheme_classes": list(model.scheme_classes_),
        "calibration": {"method": model.calibrator_.method if model.calibrator_ else None,
                        "status": model.calibration_status_},
        "bands": DEFAULT_BANDS.to_json(),
        "training_data": "not described",
        "metrics": {},
        "files": dict(files),
    }
    card.update(_json_safe(dict(card_extra or {})))
    return card


def save_model(model: LinkSchemeClassifier, directory: str | Path, *, version: str,
               card_extra: Mapping | None = None) -> Path:
    """Write a fitted ``model`` as an artifact into ``directory`` (created) and return it.

    Sets ``model.version_`` so later outputs carry the version.
    """
    model._check_fitted()
    _check_version_name(version)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    model.booster_.save_model(folder / "model.json")
    files = {"model.json": _sha256(folder / "model.json")}
    if model.scheme_booster_ is not None:
        model.scheme_booster_.save_model(folder / "scheme.json")
        files["scheme.json"] = _sha256(folder / "scheme.json")
    calibration = model.calibrator_.to_json() if model.calibrator_ is not None else None
    (folder / "calibration.json").write_text(json.dumps(calibration, indent=1) + "\n")
    files["calibration.json"] = _sha256(folder / "calibration.json")
    card = card_record(model, version, files, card_extra)
    (folder / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    (folder / "card.md").write_text(card_markdown(card), encoding="utf-8")
    model.version_ = version
    return folder


def save_to_registry(model: LinkSchemeClassifier, root: str | Path | None = None, *,
                     version: str | None = None, card_extra: Mapping | None = None) -> Path:
    """Save ``model`` as a new version under ``root`` (default: :func:`user_models_dir`)."""
    root = Path(root) if root is not None else user_models_dir()
    version = version or new_version(root)
    if (root / version).exists():
        raise ModelError(f"model version {version!r} already exists in {root}")
    return save_model(model, root / version, version=version, card_extra=card_extra)


def read_card(directory: str | Path) -> dict:
    """The ``card.json`` of an artifact folder."""
    path = Path(directory) / "card.json"
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: no model card; not a model artifact folder") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON "
                         f"({exc.msg})") from None
    if card.get("format") != CARD_FORMAT:
        raise ModelError(f"{path}: card format {card.get('format')!r}, expected {CARD_FORMAT}")
    return card


def _registries() -> list[Path]:
    return [user_models_dir(), DEFAULT_MODELS_DIR]


def list_models(roots: Iterable[Path] | None = None) -> list[tuple[str, Path]]:
    """``(version, folder)`` of every artifact in the registries, sorted by version."""
    found = []
    for root in roots if roots is not None else _registries():
        if Path(root).is_dir():
            found += [(p.name, p) for p in Path(root).iterdir() if (p / "card.json").is_file()]
    return sorted(found)


def default_model_version() -> str | None:
    """The newest shipped default model version, or ``None`` when none is shipped."""
    shipped = list_models([DEFAULT_MODELS_DIR])
    return shipped[-1][0] if shipped else None


def _resolve(dir_or_version: str | Path, roots: Iterable[Path] | None) -> Path:
    path = Path(dir_or_version)
    if (path / "card.json").is_file():
        return path
    roots = list(roots) if roots is not None else _registries()
    if isinstance(dir_or_version, str):
        _check_version_name(dir_or_version)
        for root in roots:
            if (Path(root) / dir_or_version / "card.json").is_file():
                return Path(root) / dir_or_version
    known = ", ".join(v for v, _ in list_models(roots)) or "none"
    raise ModelError(f"no model artifact at {dir_or_version!s} (neither a folder with "
                     f"card.json nor a version in {', '.join(map(str, roots))}); "
                     f"known versions: {known}")


def load_model(dir_or_version: str | Path, *,
               expected_features: Iterable[Feature | str] | None = None,
               roots: Iterable[Path] | None = None) -> LinkSchemeClassifier:
    """Load an artifact folder, or a version from the registries, as a fitted classifier.

    ``expected_features``: the columns the caller will score with; when they differ from
    the model's, :class:`ModelError` names the missing and extra ones.
    """
    folder = _resolve(dir_or_version, roots)
    card = read_card(folder)
    for name, digest in card.get("files", {}).items():
        if not (folder / name).is_file():
            raise ModelError(f"{folder}: {name} is listed in card.json but missing")
        if _sha256(folder / name) != digest:
            raise ModelError(f"{folder / name}: contents do not match the checksum in "
                             "card.json (file changed after the model was saved)")
    features = [Feature(f["name"], f["description"], f["family"]) for f in card["features"]]
    names = [f.name for f in features]
    booster = xgb.Booster()
    booster.load_model(folder / "model.json")
    if booster.num_features() != len(names):
        raise ModelError(f"{folder}: model.json has {booster.num_features()} features but "
                         f"card.json lists {len(names)}")
    if booster.feature_names is not None and list(booster.feature_names) != names:
        raise ModelError(f"{folder}: " + _mismatch_message(
            names, list(booster.feature_names), "card.json", "model.json"))
    if expected_features is not None:
        expected = feature_names_of(expected_features)
        if sorted(expected) != sorted(names):
            raise ModelError(f"model {card['version']!r} ({folder}): " + _mismatch_message(
                names, expected, "the model", "the Domains frame"))

    params = dict(card["parameters"])
    known = set(LinkSchemeClassifier().get_params())
    unknown = sorted(set(params) - known)
    if unknown:
        raise ModelError(f"{folder}: card.json has hyperparameters this detector does not "
                         f"know: {', '.join(unknown)} (made by a newer version?)")
    model = LinkSchemeClassifier(**params, features=tuple(features))
    model.classes_ = np.asarray(card["classes"])
    model.feature_names_ = names
    model.n_features_in_ = len(names)
    model.features_ = features
    model.booster_ = booster
    model.calibrator_ = calibration_from_json(
        json.loads((folder / "calibration.json").read_text(encoding="utf-8")))
    model.calibration_status_ = card["calibration"]["status"]
    model.feature_importance_ = np.array([f.get("importance", 0.0) for f in card["features"]])
    model.scheme_classes_ = list(card.get("scheme_classes", []))
    model.scheme_booster_ = None
    if (folder / "scheme.json").is_file():
        model.scheme_booster_ = xgb.Booster()
        model.scheme_booster_.load_model(folder / "scheme.json")
    model.version_ = card["version"]
    model.card_ = card
    return model


def load_default_model(**kwargs) -> LinkSchemeClassifier:
    """The newest shipped default model; :class:`ModelError` when none is shipped."""
    version = default_model_version()
    if version is None:
        raise ModelError(f"no default model is shipped in {DEFAULT_MODELS_DIR}")
    return load_model(DEFAULT_MODELS_DIR / version, **kwargs)


def card_markdown(card: Mapping) -> str:
    """The model card as Markdown for people."""
    lines = [f"# Model card: {card['version']}", "",
             f"- created: {card['created']}",
             f"- detector {card['detector_version']}, XGBoost {card['xgboost_version']}",
             f"- calibration: {card['calibration']['status']}",
             "- verdict bands: toxic >= {toxic}, suspicious >= {suspicious}, unknown when "
             "evidence coverage < {min_coverage}".format(**card["bands"]),
             f"- scheme types: {', '.join(card['scheme_classes']) or 'none (no scheme head)'}",
             "", "## Training data", "", _as_text(card.get("training_data")), "",
             "## Metrics", ""]
    metrics = card.get("metrics") or {}
    lines += [f"- {k}: {_as_text(v)}" for k, v in metrics.items()] or ["not recorded"]
    lines += ["", "## Features", "", "| name | family | importance | meaning |",
              "|---|---|---|---|"]
    lines += [f"| `{f['name']}` | {f['family']} | {f.get('importance', 0):.3f} | "
              f"{f['description']} |" for f in card["features"]]
    lines += ["", "## Hyperparameters", "", "```json",
              json.dumps(card["parameters"], indent=2), "```", ""]
    return "\n".join(lines)


def _as_text(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
