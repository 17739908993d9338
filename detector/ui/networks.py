"""Networks of referring domains, as tables and a graph a person can explore.

The network stage (:mod:`detector.network`) is optional here: this module never imports
it at import time. It shows what the audit carries, in this order:

1. ``audit.networks``: a :class:`detector.network.NetworkResult` (members, ties, evidence);
2. else ``network_id`` (and ``network_size``) columns in ``audit.domains``: members only;
3. else nothing (:func:`network_view` returns None and the app says networks are not
   available for this audit).

The graph layout is a seeded spring layout (networkx), so a network looks the same on
every rerun; nodes are coloured by verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from detector.schema import DOM, DOMAIN, UNKNOWN

__all__ = ["NetworkView", "network_view", "layout", "graph_chart", "MAX_GRAPH_NODES"]

#: Largest network drawn as a graph; bigger ones are listed (a hairball helps nobody).
MAX_GRAPH_NODES = 400


@dataclass
class NetworkView:
    """The networks of one audit, in the shape the app shows them."""

    table: pd.DataFrame  #: one row per network: ``network_id, size, tied by, members``
    result: Any = None  #: the :class:`detector.network.NetworkResult` when the audit has one
    evidence: dict[str, list[str]] | None = None  #: domain -> plain-language sentences

    def graph(self, network_id: int, domains: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(nodes, edges)`` of one network; nodes carry ``verdict`` and ``probability``.

        Edges come from the network result; with members only (a ``network_id``
        column), the edge list is empty and the graph shows the members unconnected.
        """
        if self.result is not None:
            from detector.network import network_graph

            nodes, edges = network_graph(self.result, int(network_id))
        else:
            members = domains.loc[(domains["network_id"] == network_id).fillna(False).astype(bool), DOMAIN]
            nodes = pd.DataFrame({DOMAIN: members.astype("string").tolist()})
            edges = pd.DataFrame(columns=["source", "target", "kinds", "strong"])
        info = domains.set_index(DOMAIN)
        for column in (DOM.VERDICT, DOM.PROBABILITY, DOM.SCHEME):
            if column in info:
                nodes[column] = nodes[DOMAIN].map(info[column])
        if DOM.VERDICT in nodes:
            nodes[DOM.VERDICT] = nodes[DOM.VERDICT].astype("string").fillna(UNKNOWN)
        return nodes, edges


def _is_result(value: Any) -> bool:
    return all(hasattr(value, name) for name in ("memberships", "networks", "edges", "evidence"))


def network_view(audit: Any) -> NetworkView | None:
    """What the audit knows about networks, or None when it knows nothing.

    An audit whose network stage ran and found no network gives a view with an empty
    table (so the app can say "no network found" rather than "not available").
    """
    result = getattr(audit, "networks", None)
    domains = getattr(audit, "domains", pd.DataFrame())
    if _is_result(result):
        table = result.networks.copy()
        members = result.memberships.groupby("network_id")[DOMAIN].apply(lambda s: ", ".join(sorted(s)))
        out = pd.DataFrame({
            "network_id": table["network_id"].astype("int64"),
            "size": table["size"].astype("int64") if "size" in table else table["network_id"].map(
                result.memberships["network_id"].value_counts()),
            "tied by": table["footprint_kinds"].astype("string") if "footprint_kinds" in table else pd.NA,
        })
        out["members"] = out["network_id"].map(members)
        try:
            from detector.network import domain_evidence

            evidence = domain_evidence(result)
        except Exception:  # evidence is a nicety; the view works without it
            evidence = None
        return NetworkView(table=out.reset_index(drop=True), result=result, evidence=evidence)
    if "network_id" in domains:
        grouped = domains[domains["network_id"].notna()].groupby("network_id")[DOMAIN]
        out = pd.DataFrame({"size": grouped.size(), "members": grouped.apply(lambda s: ", ".join(sorted(s)))})
        out = out.reset_index().astype({"network_id": "int64"})
        out.insert(2, "tied by", pd.Series(pd.NA, index=out.index, dtype="string"))
        out = out.sort_values(["size", "network_id"], ascending=[False, True], ignore_index=True)
        return NetworkView(table=out)
    return None


def layout(nodes: pd.DataFrame, edges: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """``nodes`` with ``x, y`` from a seeded spring layout (a circle when there are no edges)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes[DOMAIN].tolist())
    if len(edges):
        graph.add_edges_from(zip(edges["source"], edges["target"]))
    if graph.number_of_edges():
        position = nx.spring_layout(graph, seed=seed)
    else:
        position = nx.circular_layout(graph)
    placed = nodes.copy()
    placed["x"] = placed[DOMAIN].map(lambda d: float(position[d][0]) if d in position else np.nan)
    placed["y"] = placed[DOMAIN].map(lambda d: float(position[d][1]) if d in position else np.nan)
    return placed


def graph_chart(nodes: pd.DataFrame, edges: pd.DataFrame, colors: dict[str, str]) -> alt.LayerChart:
    """An Altair node-link chart: grey lines for ties (solid = strong), dots by verdict."""
    placed = layout(nodes, edges)
    where = placed.set_index(DOMAIN)[["x", "y"]]
    lines = edges.copy()
    if len(lines):
        lines["x"] = lines["source"].map(where["x"])
        lines["y"] = lines["source"].map(where["y"])
        lines["x2"] = lines["target"].map(where["x"])
        lines["y2"] = lines["target"].map(where["y"])
        lines["tie"] = np.where(lines.get("strong", pd.Series(True, index=lines.index)).astype(bool),
                                "strong", "weak")
        lines = lines.loc[:, ["source", "target", "kinds", "tie", "x", "y", "x2", "y2"]]
    else:
        lines = pd.DataFrame(columns=["source", "target", "kinds", "tie", "x", "y", "x2", "y2"])
    axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    rules = alt.Chart(lines).mark_rule(color="#999999").encode(
        x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis), x2="x2:Q", y2="y2:Q",
        strokeDash=alt.StrokeDash("tie:N", scale=alt.Scale(domain=["strong", "weak"], range=[[1, 0], [4, 4]]),
                                  legend=None),
        tooltip=["source:N", "target:N", "kinds:N", "tie:N"],
    )
    tooltip = [c for c in (DOMAIN, DOM.VERDICT, DOM.PROBABILITY, DOM.SCHEME, "strong_ties") if c in placed]
    scale = alt.Scale(domain=list(colors), range=list(colors.values()))
    dots = alt.Chart(placed).mark_circle(size=160, opacity=0.9).encode(
        x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis),
        color=alt.Color(f"{DOM.VERDICT}:N", scale=scale, legend=alt.Legend(title="verdict", orient="right")),
        tooltip=tooltip,
    )
    labels = alt.Chart(placed).mark_text(dy=-12, fontSize=10).encode(x="x:Q", y="y:Q", text=f"{DOMAIN}:N")
    return (rules + dots + labels).properties(height=460).interactive()
