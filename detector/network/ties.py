"""Pairwise ties between referring domains, from shared footprint keys, without all-pairs.

For each footprint kind, a sparse incidence matrix ``M`` (domains x keys) is built and
``M @ M.T`` gives, for every pair of domains that share at least one key of that kind,
how many keys they share. The work is the sum over keys of (holders of the key)², which
the key cap (:attr:`FootprintRules.max_key_domains`) bounds; pairs that share nothing
are never looked at. Each kind gets one bit, so summing the per-kind 0/1 matrices times
their bit gives one bit mask per tied pair: which kinds tie it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from detector.network.rules import INTERLINK_KIND, FootprintRules

__all__ = ["Ties", "pair_ties", "mask_kinds", "judge_masks", "ties_frame"]


@dataclass
class Ties:
    """Every tied pair (``row < col``, indices into the domain index) and its kinds."""

    rows: np.ndarray  #: int64 index of the first domain of each pair
    cols: np.ndarray  #: int64 index of the second domain (always > row)
    masks: np.ndarray  #: int64 bit mask of the kinds tying the pair (bit i = kinds[i])
    kinds: list[str]  #: kind of each bit
    n_families: np.ndarray  #: independent families agreeing (declared-owner kinds left out)
    weight: np.ndarray  #: summed family weight (each family counts its heaviest kind)
    declared: np.ndarray  #: the pair shares a declared-owner footprint (published registrant)
    strong: np.ndarray  #: the pair is a strong tie under the rules


def mask_kinds(mask: int, kinds: list[str]) -> list[str]:
    """The kinds whose bits are set in ``mask``.

    >>> mask_kinds(0b101, ["ip24", "ns", "analytics_id"])
    ['ip24', 'analytics_id']
    """
    return [k for i, k in enumerate(kinds) if mask >> i & 1]


def _upper_binary(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """The strict upper triangle of ``matrix`` with every stored value set to 1."""
    upper = sparse.triu(matrix, k=1, format="csr")
    upper.eliminate_zeros()
    upper.data = np.ones_like(upper.data, dtype=np.int64)
    return upper


def pair_ties(codes_by_kind: dict[str, tuple[np.ndarray, np.ndarray]], interlinks: np.ndarray | None,
              n_domains: int, rules: FootprintRules) -> Ties:
    """Tie every pair of domains that shares a key, and judge each tie by ``rules``.

    ``codes_by_kind`` maps a kind to ``(domain_codes, key_codes)`` (one entry per
    domain-key row, distinctive keys only); ``interlinks`` is an ``(m, 2)`` array of
    domain codes of links between referring domains (direction ignored).
    """
    kinds = sorted(codes_by_kind)
    if interlinks is not None and len(interlinks) and INTERLINK_KIND not in kinds:
        kinds.append(INTERLINK_KIND)
    if len(kinds) > 62:
        raise ValueError(f"at most 62 footprint kinds can be told apart, got {len(kinds)}: {kinds}")
    total = sparse.csr_matrix((n_domains, n_domains), dtype=np.int64)
    for bit, kind in enumerate(kinds):
        pieces = []
        if kind in codes_by_kind:
            dom, key = codes_by_kind[kind]
            n_keys = int(key.max()) + 1 if len(key) else 0
            incidence = sparse.csr_matrix((np.ones(len(dom), dtype=np.int64), (dom, key)),
                                          shape=(n_domains, n_keys))
            pieces.append(incidence @ incidence.T)
        if kind == INTERLINK_KIND and interlinks is not None and len(interlinks):
            a, b = interlinks[:, 0], interlinks[:, 1]
            keep = a != b
            lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
            pieces.append(sparse.csr_matrix((np.ones(len(lo), dtype=np.int64), (lo, hi)),
                                            shape=(n_domains, n_domains)))
        if pieces:
            total = total + _upper_binary(sum(pieces[1:], pieces[0])) * (1 << bit)
    coo = total.tocoo()
    rows, cols, masks = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.int64)
    # (COO from CSR is already ordered by row, then column)
    n_families, weight, declared, strong = judge_masks(masks, kinds, rules)
    return Ties(rows, cols, masks, kinds, n_families, weight, declared, strong)


def judge_masks(masks: np.ndarray, kinds: list[str], rules: FootprintRules
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each kind mask: (independent families, summed family weight, declared owner, strong).

    Each distinct mask is judged once (there are few) and spread back.
    """
    inverse, uniq = pd.factorize(masks)
    fam_n = np.zeros(len(uniq), dtype=np.int64)
    fam_w = np.zeros(len(uniq), dtype=np.float64)
    decl = np.zeros(len(uniq), dtype=bool)
    declared_kinds = set(rules.declared_owner_kinds)
    for i, mask in enumerate(np.asarray(uniq).tolist()):
        best: dict[str, float] = {}
        for kind in mask_kinds(mask, kinds):
            if kind in declared_kinds:
                decl[i] = True
                continue
            family = rules.family_of(kind)
            best[family] = max(best.get(family, 0.0), rules.weight_of(kind))
        fam_n[i] = len(best)
        fam_w[i] = sum(best.values())
    n_families, weight, declared = fam_n[inverse], fam_w[inverse], decl[inverse]
    strong = (n_families >= rules.min_families) & (weight >= rules.min_edge_weight - 1e-9) & ~declared
    return n_families, weight, declared, strong


def ties_frame(ties: Ties, pick: np.ndarray, index: pd.Index, rules: FootprintRules) -> pd.DataFrame:
    """The picked ties as a frame.

    Columns: ``source, target`` (domains), ``kinds`` and ``families`` (``;``-joined),
    ``n_families``, ``weight``, ``declared_owner``, ``strong``.
    """
    masks = ties.masks[pick]
    inverse, uniq = pd.factorize(masks)
    kind_lists = [mask_kinds(m, ties.kinds) for m in uniq.tolist()]
    kind_text = np.array([";".join(k) for k in kind_lists] or [""], dtype=object)
    fam_text = np.array([";".join(sorted({rules.family_of(x) for x in k})) for k in kind_lists] or [""],
                        dtype=object)
    return pd.DataFrame({
        "source": pd.array(np.asarray(index)[ties.rows[pick]], dtype="string"),
        "target": pd.array(np.asarray(index)[ties.cols[pick]], dtype="string"),
        "kinds": pd.array(kind_text[inverse] if len(masks) else [], dtype="string"),
        "families": pd.array(fam_text[inverse] if len(masks) else [], dtype="string"),
        "n_families": ties.n_families[pick],
        "weight": ties.weight[pick],
        "declared_owner": ties.declared[pick],
        "strong": ties.strong[pick],
    })
