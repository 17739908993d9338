"""The held-out report of a model: per regime, difficulty, setting, scheme and hard negative.

Every figure comes from :func:`detector.model.evaluate.group_metrics` on the calibrated
probability of every row (the "unknown" verdict band is a display rule and is not
applied): ROC-AUC, PR-AUC, precision / recall / false-positive rate at the toxic
threshold, Brier score. Hard negatives are natural domains of the kinds users report as
wrongly flagged, natural domains behind a CDN, publisher groups sharing analytics IDs,
and natural domains whose lookups failed; for them the false-positive rate is the figure
that matters. Parked domains (not toxic by the ground truth, merely low value) are
shown beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from detector.model.bands import SUSPICIOUS_THRESHOLD, TOXIC_THRESHOLD
from detector.model.evaluate import METRIC_COLUMNS, group_metrics, reliability_svg, reliability_table
from detector.training.corpus import HARD_NEGATIVE_KINDS, LOOKUPS, OFFLINE

__all__ = ["HeldOutReport", "held_out_report", "hard_negative_masks", "HARD_NEGATIVE_COLUMNS"]

#: Columns of :attr:`HeldOutReport.hard_negatives`.
HARD_NEGATIVE_COLUMNS = ("n", "fpr_at_toxic", "suspicious_or_toxic_rate", "mean_probability")


def hard_negative_masks(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Name -> mask of the hard-negative groups (every mask holds negatives only)."""
    negative = frame["toxic"].to_numpy() == 0
    kind = frame["kind"].astype(str).to_numpy()
    masks = {f"kind={k}": negative & (kind == k) for k in HARD_NEGATIVE_KINDS}
    masks["behind a CDN"] = negative & (frame["hosting"].astype(str).to_numpy() == "cdn")
    masks["publisher group (shared analytics IDs)"] = negative & frame["shared_analytics"].astype(bool).to_numpy()
    failed = frame["lookups_failed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    masks["lookups failed"] = negative & failed
    any_hard = np.zeros(len(frame), dtype=bool)
    for mask in masks.values():
        any_hard |= mask
    masks["any hard negative"] = any_hard
    masks["parked (not toxic, low value)"] = negative & (kind == "parked")
    masks["all natural"] = negative & (frame["true_scheme"].astype(str).to_numpy() == "natural")
    return masks


def _negative_row(p: np.ndarray) -> dict[str, float]:
    return {"n": len(p),
            "fpr_at_toxic": float((p >= TOXIC_THRESHOLD).mean()) if len(p) else np.nan,
            "suspicious_or_toxic_rate": float((p >= SUSPICIOUS_THRESHOLD).mean()) if len(p) else np.nan,
            "mean_probability": float(p.mean()) if len(p) else np.nan}


@dataclass
class HeldOutReport:
    """The tables of a held-out evaluation (every index is ``regime / group``)."""

    overall: pd.DataFrame  #: per regime and all rows: METRIC_COLUMNS
    by_difficulty: pd.DataFrame  #: per regime x preset/setting: METRIC_COLUMNS
    by_scheme: pd.DataFrame  #: per regime x scheme (its positives vs all negatives)
    hard_negatives: pd.DataFrame  #: per regime x hard-negative group: HARD_NEGATIVE_COLUMNS
    reliability: dict[str, pd.DataFrame]  #: regime -> reliability table
    model_version: str = "model"
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The headline figures as a flat JSON-ready dict (for the model card)."""
        out: dict[str, Any] = {}
        for regime in (LOOKUPS, OFFLINE, "all"):
            key = f"{regime} / all"
            if key in self.overall.index:
                row = self.overall.loc[key]
                out[regime] = {k: int(row[k]) if k in ("n", "positives") else _num(row[k])
                               for k in METRIC_COLUMNS}
        for regime in (LOOKUPS, OFFLINE):
            key = f"{regime} / any hard negative"
            if key in self.hard_negatives.index:
                out[f"{regime} hard-negative FPR at toxic"] = _num(
                    self.hard_negatives.loc[key, "fpr_at_toxic"])
        return out

    def to_markdown(self) -> str:
        """Every table as Markdown."""
        parts = [f"# Held-out evaluation of {self.model_version}", "",
                 f"Toxic threshold {TOXIC_THRESHOLD:g}, suspicious threshold {SUSPICIOUS_THRESHOLD:g}.",
                 "", "## Overall", "", _markdown_table(self.overall),
                 "", "## Per difficulty level and held-out setting", "", _markdown_table(self.by_difficulty),
                 "", "## Per scheme type (its positives against all negatives)", "",
                 _markdown_table(self.by_scheme),
                 "", "## Hard negatives (false-positive rate at the toxic threshold)", "",
                 _markdown_table(self.hard_negatives)]
        for regime, table in self.reliability.items():
            parts += ["", f"## Reliability ({regime})", "", _markdown_table(table, index=False)]
        if self.notes:
            parts += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        return "\n".join(parts) + "\n"

    def reliability_svg(self, regime: str = "all") -> str:
        """The reliability plot of one regime (or ``all``) as SVG text."""
        return reliability_svg(self.reliability[regime],
                               f"Reliability, held-out worlds ({regime}), {self.model_version}")

    def save(self, directory: str | Path) -> Path:
        """Write the tables as CSV, ``report.md`` and ``reliability_<regime>.svg``."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("overall", "by_difficulty", "by_scheme", "hard_negatives"):
            getattr(self, name).to_csv(folder / f"{name}.csv", index_label="group")
        for regime, table in self.reliability.items():
            table.to_csv(folder / f"reliability_{regime}.csv", index=False)
            (folder / f"reliability_{regime}.svg").write_text(self.reliability_svg(regime), encoding="utf-8")
        (folder / "report.md").write_text(self.to_markdown(), encoding="utf-8")
        return folder


def _markdown_table(frame: pd.DataFrame, index: bool = True) -> str:
    shown = frame.reset_index(names="group") if index else frame
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |", "|" + "---|" * len(shown.columns)]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return "n/a" if np.isnan(value) else f"{value:.3f}"
    return str(value)


def _num(value: Any) -> float | int | None:
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if np.isnan(value) else round(value, 4)


def held_out_report(probability: np.ndarray, frame: pd.DataFrame, *,
                    model_version: str = "model") -> HeldOutReport:
    """The report for calibrated ``probability`` per row of a labelled corpus ``frame``."""
    p = np.asarray(probability, dtype=np.float64)
    y = frame["toxic"].to_numpy(dtype=int)
    regime = frame["regime"].astype(str).to_numpy()
    setting = frame["setting"].astype(str).to_numpy()
    scheme = frame["true_scheme"].astype(str).to_numpy()
    masks_hard = hard_negative_masks(frame)
    overall, by_difficulty, by_scheme, hard, reliability = {}, {}, {}, {}, {}
    overall["all / all"] = group_metrics(y, p)
    reliability["all"] = reliability_table(y, p)
    for r in (LOOKUPS, OFFLINE):
        in_regime = regime == r
        if not in_regime.any():
            continue
        overall[f"{r} / all"] = group_metrics(y[in_regime], p[in_regime])
        reliability[r] = reliability_table(y[in_regime], p[in_regime])
        for name in sorted(set(setting[in_regime])):
            mask = in_regime & (setting == name)
            by_difficulty[f"{r} / {name}"] = group_metrics(y[mask], p[mask])
        positive_schemes = sorted({s for s in scheme[in_regime & (y == 1)]})
        for s in positive_schemes:
            mask = in_regime & (((scheme == s) & (y == 1)) | (y == 0))
            by_scheme[f"{r} / {s}"] = group_metrics(y[mask], p[mask])
        for name, mask in masks_hard.items():
            chosen = in_regime & mask
            if name == "lookups failed" and r == OFFLINE:
                continue  # offline nothing was looked up
            hard[f"{r} / {name}"] = _negative_row(p[chosen])

    def table(rows: dict, columns) -> pd.DataFrame:
        return pd.DataFrame.from_dict(rows, orient="index")[list(columns)] if rows else \
            pd.DataFrame(columns=list(columns))

    notes = [f"{len(frame):,} held-out rows from {frame['world'].nunique()} worlds "
             f"({', '.join(sorted(frame['world'].unique()))}); each domain appears once per regime."]
    return HeldOutReport(table(overall, METRIC_COLUMNS), table(by_difficulty, METRIC_COLUMNS),
                         table(by_scheme, METRIC_COLUMNS), table(hard, HARD_NEGATIVE_COLUMNS),
                         reliability, model_version, notes)
