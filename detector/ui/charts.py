"""Charts of a link profile, so a person sees it at a glance.

Each chart has two halves: a pure function that aggregates the audit's frames into a
small table (tested without a browser), and an Altair spec built from that table. The
tables are small whatever the export size (bins, classes, weeks), so the browser never
receives 200,000 points.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from detector.schema import BL, DOM, DOMAIN, FINE, SUSPICIOUS, TOXIC, UNKNOWN, VERDICTS

__all__ = [
    "VERDICT_COLORS", "verdict_counts", "scheme_counts", "risk_bins", "anchor_mix", "first_seen_weekly",
    "verdict_chart", "scheme_chart", "risk_chart", "anchor_chart", "timeline_chart",
]

#: One colour per verdict, used by every chart and the network graph.
VERDICT_COLORS: dict[str, str] = {TOXIC: "#d62728", SUSPICIOUS: "#ff9f1c", FINE: "#2ca02c", UNKNOWN: "#9e9e9e"}
_ANCHOR_CLASSES = ("branded", "url", "generic", "empty", "other", "money")
_SCALE = alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values()))


def verdict_counts(domains: pd.DataFrame) -> pd.DataFrame:
    """Referring domains per verdict, every verdict listed (0 when absent): ``verdict, domains``."""
    counts = domains[DOM.VERDICT].value_counts() if DOM.VERDICT in domains else pd.Series(dtype="int64")
    return pd.DataFrame({DOM.VERDICT: list(VERDICTS), "domains": [int(counts.get(v, 0)) for v in VERDICTS]})


def scheme_counts(domains: pd.DataFrame) -> pd.DataFrame:
    """Toxic and suspicious domains per scheme type: ``scheme, verdict, domains``."""
    if DOM.SCHEME not in domains or DOM.VERDICT not in domains:
        return pd.DataFrame(columns=[DOM.SCHEME, DOM.VERDICT, "domains"])
    risky = domains[domains[DOM.VERDICT].isin([TOXIC, SUSPICIOUS]).fillna(False).astype(bool)]
    table = risky.groupby([DOM.SCHEME, DOM.VERDICT], dropna=True).size().rename("domains").reset_index()
    return table.astype({DOM.SCHEME: "string", DOM.VERDICT: "string", "domains": "int64"})


def risk_bins(domains: pd.DataFrame, width: float = 0.05) -> pd.DataFrame:
    """Histogram of probabilities in bins of ``width``: ``low, high, verdict, domains``.

    Domains without a probability (unknown) are not binned: they have no risk to show.
    """
    if DOM.PROBABILITY not in domains:
        return pd.DataFrame(columns=["low", "high", DOM.VERDICT, "domains"])
    known = domains[domains[DOM.PROBABILITY].notna()]
    edges = np.round(np.arange(0.0, 1.0 + width, width), 6)
    index = np.clip(np.floor(known[DOM.PROBABILITY].to_numpy(dtype=float) / width), 0, len(edges) - 2).astype(int)
    table = (pd.DataFrame({"bin": index, DOM.VERDICT: known[DOM.VERDICT].astype("string").to_numpy()})
             .groupby(["bin", DOM.VERDICT]).size().rename("domains").reset_index())
    table["low"] = edges[table["bin"]]
    table["high"] = edges[table["bin"] + 1]
    return table.loc[:, ["low", "high", DOM.VERDICT, "domains"]]


def anchor_mix(domains: pd.DataFrame) -> pd.DataFrame:
    """Links per anchor class across the profile: ``anchor, links, share``.

    Each domain's anchor shares are weighted by its link count; domains whose export has
    no anchors contribute nothing (their shares are missing, not zero).
    """
    rows = []
    links = domains[DOM.LINKS] if DOM.LINKS in domains else pd.Series(1.0, index=domains.index)
    for name in _ANCHOR_CLASSES:
        column = f"anchor_{name}_share"
        if column in domains:
            rows.append({"anchor": name, "links": float((domains[column] * links).sum(skipna=True))})
    table = pd.DataFrame(rows, columns=["anchor", "links"])
    total = table["links"].sum()
    table["share"] = table["links"] / total if total > 0 else np.nan
    return table


def first_seen_weekly(backlinks: pd.DataFrame, domains: pd.DataFrame) -> pd.DataFrame:
    """New referring domains per week of their first link (link velocity): ``week, verdict, domains``."""
    columns = ["week", DOM.VERDICT, "domains"]
    if BL.FIRST_SEEN not in backlinks or not backlinks[BL.FIRST_SEEN].notna().any():
        return pd.DataFrame(columns=columns)
    first = backlinks.loc[backlinks[BL.FIRST_SEEN].notna(), [BL.DOMAIN, BL.FIRST_SEEN]].groupby(BL.DOMAIN)[
        BL.FIRST_SEEN].min()
    verdict = domains.set_index(DOMAIN)[DOM.VERDICT] if DOM.VERDICT in domains else pd.Series(dtype="string")
    frame = pd.DataFrame({"first_seen": first, DOM.VERDICT: first.index.map(verdict)})
    frame[DOM.VERDICT] = frame[DOM.VERDICT].astype("string").fillna(UNKNOWN)
    week = frame["first_seen"].dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time
    table = frame.assign(week=week).groupby(["week", DOM.VERDICT]).size().rename("domains").reset_index()
    return table.loc[:, columns]


def _verdict_color() -> alt.Color:
    return alt.Color(f"{DOM.VERDICT}:N", scale=_SCALE, legend=alt.Legend(title="verdict", orient="right"))


def verdict_chart(table: pd.DataFrame) -> alt.Chart:
    """Bar chart of :func:`verdict_counts`."""
    return alt.Chart(table).mark_bar().encode(
        x=alt.X(f"{DOM.VERDICT}:N", sort=list(VERDICTS), title=None),
        y=alt.Y("domains:Q", title="referring domains"),
        color=_verdict_color(), tooltip=[DOM.VERDICT, "domains"],
    ).properties(height=260)


def scheme_chart(table: pd.DataFrame) -> alt.Chart:
    """Horizontal stacked bars of :func:`scheme_counts`."""
    return alt.Chart(table).mark_bar().encode(
        y=alt.Y(f"{DOM.SCHEME}:N", sort="-x", title=None),
        x=alt.X("domains:Q", title="toxic / suspicious domains"),
        color=_verdict_color(), tooltip=[DOM.SCHEME, DOM.VERDICT, "domains"],
    ).properties(height=260)


def risk_chart(table: pd.DataFrame) -> alt.Chart:
    """Stacked histogram of :func:`risk_bins`."""
    return alt.Chart(table).mark_bar().encode(
        x=alt.X("low:Q", bin="binned", title="probability of a link scheme", scale=alt.Scale(domain=[0, 1])),
        x2="high:Q", y=alt.Y("domains:Q", title="referring domains", stack=True),
        color=_verdict_color(), tooltip=["low", "high", DOM.VERDICT, "domains"],
    ).properties(height=260)


def anchor_chart(table: pd.DataFrame) -> alt.Chart:
    """Bar chart of :func:`anchor_mix` (share of links per anchor class)."""
    return alt.Chart(table).mark_bar(color="#4c78a8").encode(
        x=alt.X("anchor:N", sort=list(_ANCHOR_CLASSES), title=None),
        y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of links"),
        tooltip=["anchor", alt.Tooltip("links:Q", format=",.0f"), alt.Tooltip("share:Q", format=".1%")],
    ).properties(height=260)


def timeline_chart(table: pd.DataFrame) -> alt.Chart:
    """Stacked weekly bars of :func:`first_seen_weekly` (spikes = bursts of new domains)."""
    return alt.Chart(table).mark_bar().encode(
        x=alt.X("week:T", title="week of first link"), y=alt.Y("domains:Q", title="new referring domains"),
        color=_verdict_color(), tooltip=[alt.Tooltip("week:T"), DOM.VERDICT, "domains"],
    ).properties(height=260)
