"""Per-domain network features for the model (family ``network``).

Missing stays missing: a domain with no footprint at all (every lookup failed) gets NaN
everywhere, since nothing says whether it belongs to a network; a domain with
footprints but no network gets 0 for the counts and NaN for what only a member has
(centrality, toxic share).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from detector.network.result import NetworkResult
from detector.schema import DISAVOW, DOMAIN, FINE, KEEP, SUSPICIOUS, TOXIC, Feature

__all__ = ["NETWORK_FEATURES", "network_features", "toxic_flags"]

NETWORK_FEATURES: list[Feature] = [
    Feature("network_size", "referring domains in the footprint network this domain belongs to (0 = none)", "network"),
    Feature("network_footprint_kinds", "kinds of footprint (IP block, analytics ID ...) on its strong ties to the network",
            "network"),
    Feature("network_footprint_families", "independent footprint families (hosting, registration, content, export, links) "
            "tying it to the network", "network"),
    Feature("network_footprints_shared", "footprint values it shares with other members of its network", "network"),
    Feature("network_toxic_share", "share of the other judged members of its network already judged toxic", "network"),
    Feature("network_centrality", "degree centrality within its network: share of the other members it is strongly tied to",
            "network"),
    Feature("network_strong_ties", "referring domains it is strongly tied to (several footprint families agree)", "network"),
    Feature("network_partners", "referring domains it shares any distinctive footprint with, strong tie or not", "network"),
]

_TOXIC_WORDS = {TOXIC, DISAVOW, "true", "1"}
_CLEAN_WORDS = {FINE, KEEP, SUSPICIOUS, "false", "0"}


def toxic_flags(verdicts: Mapping[str, object] | pd.Series | pd.DataFrame | None) -> pd.Series:
    """Domain -> 1.0 (judged toxic), 0.0 (judged not toxic) or absent (not judged).

    Accepts a mapping / Series of verdicts or decisions (``toxic``, ``disavow``, ``fine``,
    ``keep``, ``suspicious``, booleans), or a Domains frame with ``domain`` and
    ``verdict`` and/or ``decision`` columns (a person's decision wins over a verdict).

    >>> toxic_flags({"a": "toxic", "b": "keep", "c": "unknown", "d": None}).to_dict()
    {'a': 1.0, 'b': 0.0}
    """
    if verdicts is None:
        return pd.Series(dtype=np.float64)
    if isinstance(verdicts, pd.DataFrame):
        frame = verdicts.set_index(DOMAIN)
        series = pd.Series(pd.NA, index=frame.index, dtype="object")
        for column in ("verdict", "decision"):  # later columns override earlier ones
            if column in frame.columns:
                values = frame[column].astype("object")
                series = values.where(values.notna(), series)
    else:
        series = pd.Series(verdicts, dtype="object") if not isinstance(verdicts, pd.Series) else verdicts.astype("object")
    text = series.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip().lower())
    flags = text.map(lambda v: 1.0 if v in _TOXIC_WORDS else 0.0 if v in _CLEAN_WORDS else np.nan)
    flags.index = flags.index.astype("object")
    return flags.dropna().astype(np.float64)


def network_features(result: NetworkResult, verdicts: Mapping[str, object] | pd.Series | pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """One row per domain the grouping considered: ``domain`` and every :data:`NETWORK_FEATURES` column.

    ``verdicts``: what is already judged (see :func:`toxic_flags`); the share counts the
    OTHER members only, so a domain's own label never leaks into its features.
    """
    ties = result.ties
    out = pd.DataFrame({DOMAIN: ties[DOMAIN].astype("string")})
    known = ties["has_footprints"].to_numpy()
    net_of = dict(zip(result.memberships[DOMAIN], result.memberships["network_id"]))
    network_id = out[DOMAIN].map(net_of)
    member = network_id.notna().to_numpy()
    sizes = result.networks.set_index("network_id")["size"]
    size = network_id.map(sizes).to_numpy(dtype=np.float64, na_value=np.nan)

    # kinds and families on each member's strong ties
    strong = result.edges[result.edges["strong"]]
    ends = pd.concat([strong[["source", "kinds", "families"]].rename(columns={"source": DOMAIN}),
                      strong[["target", "kinds", "families"]].rename(columns={"target": DOMAIN})])
    kinds_n = ends.groupby(DOMAIN)["kinds"].agg(lambda s: len({k for t in s for k in t.split(";")}
                                                               - set(result.rules.declared_owner_kinds)))
    fams_n = ends.groupby(DOMAIN)["families"].agg(lambda s: len({f for t in s for f in t.split(";")}))
    in_net_degree = ends.groupby(DOMAIN).size()
    # footprint values shared with another member
    prints = result.footprints[result.footprints[DOMAIN].isin(net_of)]
    prints = prints.assign(network_id=prints[DOMAIN].map(net_of))
    holders = prints.groupby(["network_id", "kind", "key"])[DOMAIN].transform("size")
    shared_n = prints[holders >= 2].groupby(DOMAIN).size()

    def per_member(values: pd.Series) -> np.ndarray:
        got = out[DOMAIN].map(values).to_numpy(dtype=np.float64, na_value=np.nan)
        got = np.where(member & np.isnan(got), 0.0, got)
        return np.where(member, got, np.where(known, 0.0, np.nan))

    out["network_size"] = np.where(member, size, np.where(known, 0.0, np.nan))
    out["network_footprint_kinds"] = per_member(kinds_n)
    out["network_footprint_families"] = per_member(fams_n)
    out["network_footprints_shared"] = per_member(shared_n)

    flags = toxic_flags(verdicts)
    own = out[DOMAIN].map(flags).to_numpy(dtype=np.float64, na_value=np.nan)
    if len(flags) and member.any():
        judged = pd.Series(~np.isnan(own) & member, index=out.index).groupby(network_id).sum()
        toxic = pd.Series(np.nan_to_num(own) * member, index=out.index).groupby(network_id).sum()
        net_judged = network_id.map(judged).to_numpy(dtype=np.float64, na_value=np.nan)
        net_toxic = network_id.map(toxic).to_numpy(dtype=np.float64, na_value=np.nan)
        others_judged = net_judged - (~np.isnan(own))
        others_toxic = net_toxic - np.nan_to_num(own)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(member & (others_judged > 0), others_toxic / others_judged, np.nan)
    else:
        share = np.full(len(out), np.nan)
    out["network_toxic_share"] = share
    strong_ties = ties["strong_ties"].to_numpy(dtype=np.float64)
    degree = per_member(in_net_degree)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["network_centrality"] = np.where(member, degree / np.maximum(size - 1, 1), np.nan)
    out["network_strong_ties"] = np.where(known, strong_ties, np.nan)
    out["network_partners"] = np.where(known, ties["partners"].to_numpy(dtype=np.float64), np.nan)
    return out
