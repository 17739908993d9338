"""How well found networks match planted ones: adjusted Rand index and pairwise P/R.

Every domain outside a network (found or true) is its own singleton cluster, so the
scores reward keeping innocents out as much as grouping members together.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from detector.schema import DOMAIN

__all__ = ["score_grouping"]


def _pairs(counts: np.ndarray) -> float:
    counts = counts.astype(np.float64)
    return float((counts * (counts - 1) / 2).sum())


def score_grouping(memberships: pd.DataFrame, truth_network_ids: Mapping[str, object] | pd.Series,
                   domains: Iterable[str] | None = None) -> dict[str, float]:
    """Compare found ``memberships`` (``domain, network_id``) with the truth.

    ``truth_network_ids``: domain -> planted network id, missing (None/NA) for domains
    in no network; its keys (plus ``domains`` and the found members) are the universe.
    Returns ``ari``, ``pairwise_precision``, ``pairwise_recall``, ``pairwise_f1`` (NaN
    when undefined: no pairs found / no true pairs), and counts of networks and members.

    >>> found = pd.DataFrame({"domain": ["a", "b", "c"], "network_id": [1, 1, 1]})
    >>> s = score_grouping(found, {"a": 7, "b": 7, "c": 7, "d": None, "e": None})
    >>> s["ari"], s["pairwise_precision"], s["pairwise_recall"]
    (1.0, 1.0, 1.0)
    >>> score_grouping(found, {"a": 7, "b": 7, "c": None, "d": None})["pairwise_precision"]
    0.3333333333333333
    """
    truth = pd.Series(truth_network_ids, dtype="object") if not isinstance(truth_network_ids, pd.Series) \
        else truth_network_ids.astype("object")
    truth.index = truth.index.astype("object")
    found = pd.Series(memberships["network_id"].to_numpy(), index=memberships[DOMAIN].astype("object").to_numpy(),
                      dtype="object")
    universe = pd.Index(truth.index).union(pd.Index(found.index))
    if domains is not None:
        universe = universe.union(pd.Index(list(domains), dtype="object"))

    def labels(series: pd.Series, prefix: str) -> np.ndarray:
        values = series.reindex(universe)
        out = np.array([f"{prefix}:{v}" if v is not None and not pd.isna(v) else f"solo:{d}"
                        for d, v in zip(universe, values.tolist())], dtype=object)
        return out

    pred, true = labels(found, "net"), labels(truth, "net")
    ari = float(adjusted_rand_score(true, pred)) if len(universe) else float("nan")
    pred_codes, true_codes = pd.factorize(pred)[0], pd.factorize(true)[0]
    joint = pd.Series(pred_codes.astype(np.int64) * (true_codes.max() + 1 if len(true_codes) else 1) + true_codes)
    tp = _pairs(joint.value_counts().to_numpy())
    found_pairs = _pairs(np.bincount(pred_codes)) if len(pred_codes) else 0.0
    true_pairs = _pairs(np.bincount(true_codes)) if len(true_codes) else 0.0
    precision = tp / found_pairs if found_pairs else float("nan")
    recall = tp / true_pairs if true_pairs else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if found_pairs and true_pairs and (precision + recall) \
        else float("nan")
    true_nets = truth.dropna()
    return {
        "ari": ari, "pairwise_precision": precision, "pairwise_recall": recall, "pairwise_f1": f1,
        "networks_found": float(found.nunique()), "networks_true": float(true_nets.nunique()),
        "domains_in_found": float(len(found)), "domains_in_true": float(len(true_nets)),
        "domains": float(len(universe)),
    }
