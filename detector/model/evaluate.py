"""Evaluation report: ranking, thresholded and calibration metrics, per group.

For every group (all rows; a difficulty level; a scheme type against all negatives; a
hard-negative set) the report gives: rows, positives, ROC-AUC, PR-AUC (average
precision), precision and recall at the toxic threshold, false-positive rate at that
threshold (on a hard-negative set this *is* the figure that matters), and the Brier
score. Metrics that a group cannot define (ROC-AUC on one class) are NaN, not 0.

Calibration is shown as a reliability table (mean predicted vs observed rate per
probability bin) and a reliability plot drawn as a self-contained SVG (no plotting
library needed; matplotlib is not a dependency).

Probabilities evaluated are the calibrated ones for every row, whatever its verdict
band (the "unknown" band is a display rule, evaluated separately by coverage if wanted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from detector.model.bands import TOXIC_THRESHOLD

__all__ = [
    "EvaluationReport",
    "METRIC_COLUMNS",
    "group_metrics",
    "evaluate",
    "evaluate_probabilities",
    "groups_by",
    "scheme_groups",
    "reliability_table",
    "reliability_svg",
]

METRIC_COLUMNS = ("n", "positives", "roc_auc", "pr_auc", "precision_at_toxic",
                  "recall_at_toxic", "fpr_at_toxic", "brier")


def group_metrics(y: np.ndarray, p: np.ndarray, threshold: float = TOXIC_THRESHOLD) -> dict:
    """The metrics of one group (see the module docstring).

    >>> m = group_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.9, 0.85, 0.95]))
    >>> m["roc_auc"], m["precision_at_toxic"], m["recall_at_toxic"], m["fpr_at_toxic"]
    (0.75, 0.6666666666666666, 1.0, 0.5)
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    n, positives = len(y), int(y.sum())
    flagged = p >= threshold
    both = 0 < positives < n
    nan = float("nan")
    return {
        "n": n,
        "positives": positives,
        "roc_auc": float(roc_auc_score(y, p)) if both else nan,
        "pr_auc": float(average_precision_score(y, p)) if positives else nan,
        "precision_at_toxic": float(y[flagged].mean()) if flagged.any() else nan,
        "recall_at_toxic": float(flagged[y == 1].mean()) if positives else nan,
        "fpr_at_toxic": float(flagged[y == 0].mean()) if positives < n else nan,
        "brier": float(brier_score_loss(y, p, labels=[0, 1])) if n else nan,
    }


def reliability_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Equal-width probability bins: ``lower``, ``upper``, ``n``, ``mean_predicted``,
    ``observed_rate`` (NaN for empty bins)."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        rows.append({"lower": edges[b], "upper": edges[b + 1], "n": int(inside.sum()),
                     "mean_predicted": float(p[inside].mean()) if inside.any() else np.nan,
                     "observed_rate": float(y[inside].mean()) if inside.any() else np.nan})
    return pd.DataFrame(rows)


def reliability_svg(table: pd.DataFrame, title: str = "Reliability", size: int = 320) -> str:
    """A reliability plot (observed rate vs mean predicted, diagonal = perfect) as SVG."""
    pad = 40
    span = size - 2 * pad

    def xy(px: float, py: float) -> tuple[float, float]:
        return pad + px * span, size - pad - py * span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
             f'viewBox="0 0 {size} {size}" font-family="sans-serif" font-size="11">',
             f'<rect width="{size}" height="{size}" fill="white"/>',
             f'<text x="{size / 2}" y="16" text-anchor="middle" font-size="13">'
             f'{escape(title)}</text>']
    x0, y0 = xy(0, 0)
    x1, y1 = xy(1, 1)
    parts.append(f'<rect x="{x0}" y="{y1}" width="{span}" height="{span}" fill="none" '
                 'stroke="#444"/>')
    parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#999" '
                 'stroke-dasharray="4 3"/>')
    for tick in (0.0, 0.5, 1.0):
        tx, ty = xy(tick, 0)
        parts.append(f'<text x="{tx}" y="{ty + 14}" text-anchor="middle">{tick:g}</text>')
        lx, ly = xy(0, tick)
        parts.append(f'<text x="{lx - 6}" y="{ly + 4}" text-anchor="end">{tick:g}</text>')
    parts.append(f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle">'
                 'mean predicted probability</text>')
    parts.append(f'<text x="12" y="{size / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {size / 2})">observed rate</text>')
    known = table.dropna(subset=["mean_predicted", "observed_rate"])
    points = [xy(a, b) for a, b in zip(known["mean_predicted"], known["observed_rate"])]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#c0392b" '
                     'stroke-width="2"/>')
        total = max(int(known["n"].sum()), 1)
        for (x, y), n in zip(points, known["n"]):
            radius = 2 + 6 * np.sqrt(n / total)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                         f'fill="#c0392b"><title>{int(n)} rows</title></circle>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


@dataclass
class EvaluationReport:
    """Metrics per group and the overall reliability table."""

    metrics: pd.DataFrame  #: one row per group (index: group name), ``METRIC_COLUMNS``
    reliability: pd.DataFrame  #: :func:`reliability_table` over all rows
    threshold: float = TOXIC_THRESHOLD  #: the toxic threshold the thresholded metrics use
    model_version: str | None = None  #: version of the evaluated model
    notes: list[str] = field(default_factory=list)  #: anything the reader should know

    def reliability_svg(self) -> str:
        """The reliability plot as SVG text."""
        return reliability_svg(self.reliability,
                               f"Reliability ({self.model_version or 'model'})")

    def to_markdown(self) -> str:
        """The report as Markdown (metrics table, reliability table, notes)."""
        lines = [f"# Evaluation of {self.model_version or 'model'}", "",
                 f"Toxic threshold: {self.threshold:g}", "", _markdown_table(self.metrics),
                 "", "## Reliability (calibration)", "",
                 _markdown_table(self.reliability, index=False)]
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def save(self, directory: str | Path) -> Path:
        """Write ``metrics.csv``, ``reliability.csv``, ``reliability.svg``, ``report.md``."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        self.metrics.to_csv(folder / "metrics.csv", index_label="group")
        self.reliability.to_csv(folder / "reliability.csv", index=False)
        (folder / "reliability.svg").write_text(self.reliability_svg(), encoding="utf-8")
        (folder / "report.md").write_text(self.to_markdown(), encoding="utf-8")
        return folder


def _markdown_table(frame: pd.DataFrame, index: bool = True) -> str:
    shown = frame.reset_index() if index else frame
    header = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |"
            for row in shown.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _cell(value) -> str:
    if isinstance(value, float):
        return "n/a" if np.isnan(value) else f"{value:.3f}"
    return str(value)


def evaluate_probabilities(y, p, groups: Mapping[str, np.ndarray] | None = None, *,
                           threshold: float = TOXIC_THRESHOLD, bins: int = 10,
                           model_version: str | None = None) -> EvaluationReport:
    """Report for given labels and probabilities; ``groups`` maps a name to a row mask."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    rows = {"all": group_metrics(y, p, threshold)}
    for name, mask in (groups or {}).items():
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != y.shape:
            raise ValueError(f"group {name!r}: mask has {mask.shape[0]} rows, labels {len(y)}")
        rows[name] = group_metrics(y[mask], p[mask], threshold)
    metrics = pd.DataFrame.from_dict(rows, orient="index")[list(METRIC_COLUMNS)]
    return EvaluationReport(metrics, reliability_table(y, p, bins), threshold, model_version)


def evaluate(model, frame: pd.DataFrame, y, groups: Mapping[str, np.ndarray] | None = None, *,
             threshold: float = TOXIC_THRESHOLD, bins: int = 10,
             fill_missing: bool = False) -> EvaluationReport:
    """Evaluate a fitted classifier on a labelled feature table (see the module docstring)."""
    p = model.predict_proba(frame, fill_missing=fill_missing)[:, 1]
    positive = np.asarray(y) == model.classes_[1]
    return evaluate_probabilities(positive.astype(int), p, groups, threshold=threshold,
                                  bins=bins, model_version=getattr(model, "version_", None))


def groups_by(values, prefix: str = "") -> dict[str, np.ndarray]:
    """One mask per distinct non-missing value: ``{prefix + value: mask}``.

    >>> sorted(groups_by(["easy", "hard", "easy"], "difficulty="))
    ['difficulty=easy', 'difficulty=hard']
    """
    series = pd.Series(np.asarray(values, dtype=object))
    return {f"{prefix}{v}": (series == v).to_numpy() for v in sorted(series.dropna().unique(),
                                                                      key=str)}


def scheme_groups(scheme, y, negative_label: str = "natural") -> dict[str, np.ndarray]:
    """Per scheme type: its positive rows plus every negative row (so AUC is defined)."""
    y = np.asarray(y).astype(bool)
    series = pd.Series(np.asarray(scheme, dtype=object))
    kinds = sorted({v for v in series[y].dropna().unique() if v != negative_label}, key=str)
    return {f"scheme={k}": ((series == k).to_numpy() & y) | ~y for k in kinds}
