"""Group referring domains into networks from the footprints they share.

Input: the long footprint frame ``domain, kind, key`` concatenated from every producer
(hosting, registration, content, export), optionally links between the referring domains
themselves (``source_domain, target_domain``) and first-seen times. Steps:

1. keep only distinctive keys: held by at least two domains and by no more than the
   key cap; the rest are listed in ``ignored_keys`` with the reason;
2. tie pairs that share keys (sparse products per kind, see :mod:`.ties`), and call a tie
   STRONG when enough independent families agree (:class:`.FootprintRules`);
3. networks = connected components of strong ties with at least ``min_network_size``
   members, numbered 1.. from the largest.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from detector.errors import InputError
from detector.network.result import NetworkEvidence, NetworkResult
from detector.network.rules import INTERLINK_KIND, FootprintRules
from detector.network.ties import judge_masks, pair_ties, ties_frame
from detector.schema import DOMAIN

__all__ = ["find_networks", "FOOTPRINT_COLUMNS"]

#: Columns of a footprint frame.
FOOTPRINT_COLUMNS = (DOMAIN, "kind", "key")


def _clean_footprints(footprints: pd.DataFrame | Iterable[pd.DataFrame] | None) -> pd.DataFrame:
    if footprints is None:
        frames: list[pd.DataFrame] = []
    elif isinstance(footprints, pd.DataFrame):
        frames = [footprints]
    else:
        frames = list(footprints)
    cleaned = []
    for i, frame in enumerate(frames):
        missing = [c for c in FOOTPRINT_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(f"footprint frame #{i + 1}: missing column(s) {missing}; "
                             f"expected columns {list(FOOTPRINT_COLUMNS)}, got {list(frame.columns)}")
        cleaned.append(frame.loc[:, list(FOOTPRINT_COLUMNS)].astype("string"))
    if not cleaned:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in FOOTPRINT_COLUMNS})
    out = pd.concat(cleaned, ignore_index=True).dropna()
    out = out[(out[DOMAIN] != "") & (out["key"] != "") & (out["kind"] != "")]
    return out.drop_duplicates(ignore_index=True)


def _clean_interlinks(interlinks: pd.DataFrame | None) -> pd.DataFrame:
    if interlinks is None or len(interlinks) == 0:
        return pd.DataFrame({"source_domain": pd.Series(dtype="string"), "target_domain": pd.Series(dtype="string")})
    missing = [c for c in ("source_domain", "target_domain") if c not in interlinks.columns]
    if missing:
        raise InputError(f"interlinks frame: missing column(s) {missing}; expected source_domain, target_domain, "
                         f"got {list(interlinks.columns)}")
    out = interlinks.loc[:, ["source_domain", "target_domain"]].astype("string").dropna()
    return out[out["source_domain"] != out["target_domain"]].drop_duplicates(ignore_index=True)


def _first_seen_series(first_seen: Mapping[str, object] | pd.Series | None) -> pd.Series:
    if first_seen is None:
        return pd.Series(dtype="datetime64[ns, UTC]")
    series = pd.Series(first_seen) if not isinstance(first_seen, pd.Series) else first_seen
    return pd.to_datetime(series, utc=True, errors="coerce")


def find_networks(footprints: pd.DataFrame | Iterable[pd.DataFrame] | None, *,
                  domains: Iterable[str] | None = None,
                  interlinks: pd.DataFrame | None = None,
                  first_seen: Mapping[str, object] | pd.Series | None = None,
                  rules: FootprintRules | None = None) -> NetworkResult:
    """Group referring domains into networks where several independent footprints agree.

    ``footprints``: a frame (or frames) ``domain, kind, key``; unknown kinds are welcome
    (family ``other``, default weight). ``domains``: the referring domains of the
    export(s); when given, footprints and interlinks of other domains are ignored and
    every listed domain gets a row in ``ties``. ``interlinks``: links between referring
    domains (``source_domain, target_domain``). ``first_seen``: domain -> first time a
    link from it was seen, for the timelines. ``rules``: thresholds (defaults argued in
    ``docs/network.md``).

    >>> fp = pd.DataFrame({"domain": ["a.test", "b.test", "c.test"] * 2,
    ...                    "kind": ["ip24"] * 3 + ["analytics_id"] * 3,
    ...                    "key": ["127.9.9.0/24"] * 3 + ["UA-1"] * 3})
    >>> result = find_networks(fp)
    >>> result.memberships.to_dict("list")
    {'domain': ['a.test', 'b.test', 'c.test'], 'network_id': [1, 1, 1]}
    >>> find_networks(fp[fp["kind"] == "ip24"]).memberships.empty  # one family is not enough
    True
    """
    rules = rules or FootprintRules()
    prints = _clean_footprints(footprints)
    links = _clean_interlinks(interlinks)
    seen = _first_seen_series(first_seen)

    # work on integer codes: string comparisons on 100,000s of rows are the slow part
    if domains is not None:
        listed = pd.Series(list(domains), dtype="object").dropna().astype(str)
        index = pd.Index(np.sort(pd.unique(listed.to_numpy())), dtype="object")
    else:
        every = np.concatenate([prints[DOMAIN].to_numpy(dtype=object), links["source_domain"].to_numpy(dtype=object),
                                links["target_domain"].to_numpy(dtype=object)])
        index = pd.Index(np.sort(pd.unique(every)), dtype="object")
    n = len(index)
    print_codes = index.get_indexer(prints[DOMAIN].to_numpy(dtype=object))
    prints = prints[print_codes >= 0].assign(code=print_codes[print_codes >= 0])
    src = index.get_indexer(links["source_domain"].to_numpy(dtype=object))
    dst = index.get_indexer(links["target_domain"].to_numpy(dtype=object))
    links_ok = (src >= 0) & (dst >= 0)
    link_codes = np.column_stack([src[links_ok], dst[links_ok]]).astype(np.int64) if links_ok.any() else None
    has_footprints = np.zeros(n, dtype=bool)
    has_footprints[prints["code"].to_numpy()] = True
    hub_rows = pd.DataFrame(columns=["kind", "key", "domains", "reason"])
    if link_codes is not None:
        has_footprints[link_codes.ravel()] = True
        link_codes = np.unique(link_codes, axis=0)
        out_degree = np.bincount(link_codes[:, 0], minlength=n)
        hubs = np.flatnonzero(out_degree > rules.max_interlink_out_degree)
        if len(hubs):
            hub_rows = pd.DataFrame({"kind": INTERLINK_KIND, "key": np.asarray(index)[hubs],
                                     "domains": out_degree[hubs].astype(np.int64),
                                     "reason": f"links to more than {rules.max_interlink_out_degree} referring domains"})
            link_codes = link_codes[out_degree[link_codes[:, 0]] <= rules.max_interlink_out_degree]
            link_codes = link_codes if len(link_codes) else None

    # 1. distinctive keys only
    if rules.ignored_keys:
        listed = pd.Series([f"{k}\x1f{v}" for k, v in zip(prints["kind"], prints["key"])], index=prints.index)
        banned = {f"{k}\x1f{v}" for k, v in rules.ignored_keys}
        on_list = listed.isin(banned)
    else:
        on_list = pd.Series(False, index=prints.index)
    holders = prints.groupby(["kind", "key"], sort=False)[DOMAIN].transform("size")
    cap = rules.key_cap(n)
    too_common = holders > cap
    ignored = prints[too_common | on_list].assign(domains=holders[too_common | on_list])
    ignored = (ignored.assign(reason=np.where(on_list[too_common | on_list], "on the ignore list",
                                              f"held by more than {cap} domains"))
               .drop_duplicates(["kind", "key"]).loc[:, ["kind", "key", "domains", "reason"]]
               .sort_values(["domains", "kind", "key"], ascending=[False, True, True], ignore_index=True))
    used = prints[~too_common & ~on_list & (holders >= 2)].reset_index(drop=True)
    if len(hub_rows):
        ignored = pd.concat([ignored, hub_rows.astype({"kind": "string", "key": "string"})], ignore_index=True)

    # 2. ties
    dom_codes = used["code"].to_numpy()
    codes_by_kind: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for kind, rows in used.groupby("kind", sort=True).indices.items():
        keys, _ = pd.factorize(used["key"].to_numpy()[rows])
        codes_by_kind[str(kind)] = (dom_codes[rows].astype(np.int64), keys.astype(np.int64))
    ties = pair_ties(codes_by_kind, link_codes, n, rules)

    # 3. components of strong ties
    strong_rows, strong_cols = ties.rows[ties.strong], ties.cols[ties.strong]
    graph = sparse.csr_matrix((np.ones(len(strong_rows), dtype=np.int8), (strong_rows, strong_cols)), shape=(n, n))
    _, labels = csgraph.connected_components(graph, directed=False)
    sizes = np.bincount(labels, minlength=labels.max() + 1 if n else 0)
    big = np.flatnonzero(sizes >= max(2, rules.min_network_size))
    # number networks 1.. by size (desc), then by their smallest member (index is sorted)
    first_member = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first_member, labels, np.arange(n))
    order = big[np.lexsort((first_member[big], -sizes[big]))]
    network_of_label = np.zeros(len(sizes), dtype=np.int64)
    network_of_label[order] = np.arange(1, len(order) + 1)
    network_of = network_of_label[labels] if n else np.zeros(0, dtype=np.int64)
    attached = _attach(used, ties.kinds, network_of, rules) if rules.attach_min_members else np.zeros(0, dtype=np.int64)

    # per-domain tie counts
    real = ties.n_families > 0  # ties by declared-owner footprints alone are not partners
    partners = np.bincount(ties.rows[real], minlength=n) + np.bincount(ties.cols[real], minlength=n)
    strong_deg = np.bincount(strong_rows, minlength=n) + np.bincount(strong_cols, minlength=n)
    decl_rows, decl_cols = ties.rows[ties.declared], ties.cols[ties.declared]
    declared = np.bincount(decl_rows, minlength=n) + np.bincount(decl_cols, minlength=n)
    tie_table = pd.DataFrame({DOMAIN: pd.array(np.asarray(index), dtype="string"), "has_footprints": has_footprints,
                              "partners": partners.astype(np.int64), "strong_ties": strong_deg.astype(np.int64),
                              "declared_siblings": declared.astype(np.int64)})
    tie_table["attached"] = np.isin(np.arange(n), attached)

    in_net = network_of > 0
    memberships = pd.DataFrame({DOMAIN: pd.array(np.asarray(index)[in_net], dtype="string"),
                                "network_id": network_of[in_net].astype(np.int64)})
    memberships = memberships.sort_values(["network_id", DOMAIN], ignore_index=True)

    same = (network_of[ties.rows] > 0) & (network_of[ties.rows] == network_of[ties.cols])
    edges = ties_frame(ties, same, index, rules)
    edges.insert(0, "network_id", network_of[ties.rows[same]].astype(np.int64))
    edges = edges.sort_values(["network_id", "source", "target"], ignore_index=True)

    net_of_row = network_of[used["code"].to_numpy()] if len(used) else np.zeros(0, dtype=np.int64)
    used_in_net = used[net_of_row > 0].assign(network_id=net_of_row[net_of_row > 0])
    used = used.drop(columns="code")
    evidence = _evidence(memberships, used_in_net, edges, seen, rules)
    networks = _network_table(memberships, edges, evidence)
    return NetworkResult(memberships=memberships, networks=networks, evidence=evidence, edges=edges,
                         ties=tie_table, ignored_keys=ignored, footprints=used, rules=rules)


def _attach(used: pd.DataFrame, kinds: list[str], network_of: np.ndarray, rules: FootprintRules) -> np.ndarray:
    """Attach outsiders that share the network's OWN keys (updates ``network_of`` in place).

    A network key is a footprint value held by at least ``attach_min_members`` members
    that are at least half of all its holders (the network's block, its analytics IDs, its
    registrar week), so a big host's name servers or a popular theme, which the network
    merely shares with many others, never count. A domain outside every network joins one
    when the network keys it holds, taken together, pass the strong-tie rule: a member that
    hid all but one footprint from each sibling is still found. Interlinks do not count
    here (one link to one member is too common), nor does a shared declared owner. One
    round only, so attachment never chains. Returns the codes of the attached domains.
    """
    none = np.zeros(0, dtype=np.int64)
    if not len(used) or not (network_of > 0).any():
        return none
    held = used.loc[:, ["code", "kind", "key"]].assign(net=network_of[used["code"].to_numpy()])
    holders = held.groupby(["kind", "key"], sort=False)["code"].transform("size")
    inside = held[held["net"] > 0].assign(holders=holders[held["net"] > 0])
    net_keys = inside.groupby(["kind", "key", "net"], sort=False).agg(members=("code", "size"), holders=("holders", "first"))
    net_keys = net_keys[(net_keys["members"] >= rules.attach_min_members)
                        & (net_keys["members"] * 2 >= net_keys["holders"])].reset_index()
    outside = held[held["net"] == 0].drop(columns="net").merge(net_keys[["kind", "key", "net"]], on=["kind", "key"])
    if outside.empty:
        return none
    declared = outside["kind"].isin(list(rules.declared_owner_kinds))
    vetoed = set(zip(outside.loc[declared, "code"], outside.loc[declared, "net"]))
    outside = outside[~declared]
    bit = {k: i for i, k in enumerate(kinds)}
    outside = outside.assign(bit=np.left_shift(1, outside["kind"].map(bit).to_numpy(dtype=np.int64)))
    union = outside.drop_duplicates(["code", "net", "bit"]).groupby(["code", "net"], sort=True)["bit"].sum()
    n_fam, weight, _, strong = judge_masks(union.to_numpy(dtype=np.int64), kinds, rules)
    picks = pd.DataFrame({"code": union.index.get_level_values(0), "net": union.index.get_level_values(1),
                          "weight": weight, "n_fam": n_fam})[strong]
    picks = picks[[(c, n) not in vetoed for c, n in zip(picks["code"], picks["net"])]]
    if picks.empty:
        return none
    picks = picks.sort_values(["code", "weight", "n_fam", "net"], ascending=[True, False, False, True])
    picks = picks.drop_duplicates("code")
    codes = picks["code"].to_numpy(dtype=np.int64)
    network_of[codes] = picks["net"].to_numpy(dtype=np.int64)
    return codes


def _evidence(memberships: pd.DataFrame, prints: pd.DataFrame, edges: pd.DataFrame, seen: pd.Series,
              rules: FootprintRules) -> dict[int, NetworkEvidence]:
    out: dict[int, NetworkEvidence] = {}
    if memberships.empty:
        return out
    shared = prints.groupby(["network_id", "kind", "key"], sort=False)["code"].nunique().rename("members").reset_index()
    shared = shared[shared["members"] >= 2]
    shared.insert(2, "family", shared["kind"].map(rules.family_of).astype("string"))
    shared = shared.sort_values(["network_id", "members", "kind", "key"], ascending=[True, False, True, True],
                                ignore_index=True)
    shared_by_net = shared.groupby("network_id", sort=False).indices
    strong = edges[edges["strong"]]
    kind_counts = (strong.assign(kind=strong["kinds"].str.split(";")).explode("kind")
                   .groupby(["network_id", "kind"]).size().rename("n").reset_index()
                   .sort_values(["network_id", "n", "kind"], ascending=[True, False, True]))
    kind_counts = kind_counts[~kind_counts["kind"].isin(list(rules.declared_owner_kinds))]
    kinds_by_net = kind_counts.groupby("network_id", sort=False)["kind"].agg(list)
    members_all = memberships[DOMAIN].to_numpy(dtype=object)
    times_all = (seen.reindex(members_all).to_numpy() if len(seen)
                 else np.full(len(members_all), np.datetime64("NaT"), dtype="datetime64[ns]"))
    timeline_all = pd.DataFrame({"network_id": memberships["network_id"].to_numpy(),
                                 DOMAIN: pd.array(members_all, dtype="string"),
                                 "first_seen": pd.to_datetime(times_all, utc=True)})
    timeline_all = timeline_all.sort_values(["network_id", "first_seen", DOMAIN], na_position="last", ignore_index=True)
    timelines = {int(k): v for k, v in timeline_all.groupby("network_id", sort=False)}
    columns = ["kind", "family", "key", "members"]
    for network_id, rows in memberships.groupby("network_id", sort=True).indices.items():
        network_id = int(network_id)
        members = sorted(members_all[rows].tolist())
        picked = shared_by_net.get(network_id)
        footprints = (shared.iloc[picked][columns].reset_index(drop=True) if picked is not None
                      else shared.iloc[0:0][columns])
        timeline = timelines[network_id].drop(columns="network_id").reset_index(drop=True)
        out[network_id] = NetworkEvidence(network_id, members, footprints, timeline,
                                          list(kinds_by_net.get(network_id, [])))
    return out


def _network_table(memberships: pd.DataFrame, edges: pd.DataFrame,
                   evidence: dict[int, NetworkEvidence]) -> pd.DataFrame:
    rows = []
    strong = edges[edges["strong"]]
    families_by_net = strong.groupby("network_id")["families"].agg(lambda s: sorted({f for t in s for f in t.split(";")}))
    ties_by_net = strong.groupby("network_id").size()
    for network_id, ev in evidence.items():
        size = len(ev.members)
        families = families_by_net.get(network_id, [])
        rows.append({
            "network_id": network_id, "size": size,
            "footprint_kinds": ";".join(ev.kinds), "families": ";".join(families),
            "n_families": len(families), "strong_ties": int(ties_by_net.get(network_id, 0)),
            "density": int(ties_by_net.get(network_id, 0)) / (size * (size - 1) / 2),
            "first_seen_min": ev.timeline["first_seen"].min(), "first_seen_max": ev.timeline["first_seen"].max(),
        })
    frame = pd.DataFrame(rows, columns=["network_id", "size", "footprint_kinds", "families", "n_families",
                                        "strong_ties", "density", "first_seen_min", "first_seen_max"])
    frame = frame.astype({"network_id": np.int64, "size": np.int64, "footprint_kinds": "string",
                          "families": "string", "n_families": np.int64, "strong_ties": np.int64,
                          "density": np.float64})
    frame["first_seen_min"] = pd.to_datetime(frame["first_seen_min"], utc=True)
    frame["first_seen_max"] = pd.to_datetime(frame["first_seen_max"], utc=True)
    return frame.sort_values("network_id", ignore_index=True)
