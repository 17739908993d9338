"""The Streamlit page, section by section: upload, target and lookups, summary, review,
networks, downloads.

Every number and verdict comes from the library (:func:`detector.audit_exports`,
:func:`detector.disavow_for`); the helpers beside this module only shape them. The
person's decisions live in :class:`detector.decisions.DecisionStore`, keyed by the
audited site, so they survive reruns, re-uploads and newer exports of the same site.
The default is OFFLINE: no request leaves the machine unless the person starts lookups.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from detector.decisions import DecisionStore, apply_decisions, default_home, profile_key
from detector.errors import DetectorError
from detector.schema import DISAVOW, DOM, DOMAIN, KEEP, SCHEMES, VERDICTS
from detector.ui import charts, downloads, networks, tables
from detector.ui.runs import RUNS
from detector.ui.uploads import Upload, as_uploads, ingest_table, problems_table

__all__ = ["main", "MAX_TABLE_ROWS"]

#: Rows of the review table sent to the browser at once; filters narrow the rest.
MAX_TABLE_ROWS = 5_000
_OFFLINE = "Offline: export data only"
_LOOKUPS = "With DNS, registration and page lookups"


# --- state -----------------------------------------------------------------------------

def _store() -> DecisionStore:
    """The decisions store (``$LINKDETECTOR_HOME`` or the default folder)."""
    return DecisionStore()


def _set_decision(profile: str, domain: str, choice: str, verdict: str | None) -> None:
    """Checkbox callback: ``choice`` was ticked or unticked on ``domain``."""
    store = _store()
    ticked = bool(st.session_state.get(f"{choice}::{domain}"))
    if ticked:
        store.save(profile, domain, choice, verdict=verdict)
    else:
        store.clear(profile, domain)


def _bulk(profile: str, domains: list[str], choice: str | None, verdicts: dict[str, str]) -> None:
    """Bulk callback: set (or clear, when ``choice`` is None) the decision on ``domains``."""
    store = _store()
    if choice is None:
        for domain in domains:
            store.clear(profile, domain)
    elif domains:
        store.save_many(profile, {d: choice for d in domains}, verdicts={d: verdicts.get(d) for d in domains})


# --- sections --------------------------------------------------------------------------

def _sidebar() -> tuple[list[Upload], tuple[str, bytes] | None, tuple[str, bytes] | None]:
    with st.sidebar:
        st.header("1. Upload")
        exports = st.file_uploader(
            "Backlink exports (Ahrefs, Semrush, Majestic, Moz, Search Console, Bing, lists; CSV, XLSX, ZIP)",
            accept_multiple_files=True, key="exports",
            help="Drag and drop one or more files. Each file's format is detected; rows that cannot be "
                 "read are listed, and a file that cannot be read never stops the others.")
        existing = st.file_uploader("Current disavow file (optional)", key="existing_disavow",
                                    help="The file already uploaded to Search Console: the new one is merged with it.")
        allow = st.file_uploader("Allowlist (optional)", key="allowlist",
                                 help="Domains or URLs that must never be disavowed, one a line.")
        st.caption("Nothing is sent anywhere unless you start lookups. Decisions are kept in "
                   f"`{default_home()}`.")
    as_pair = (lambda f: (f.name, bytes(f.getvalue())) if f is not None else None)
    return as_uploads(exports), as_pair(existing), as_pair(allow)


def _intro() -> None:
    st.title("linkdetector")
    st.markdown(
        "Upload your backlink exports in the sidebar. Every referring domain gets a verdict — "
        "**toxic** (goes into the disavow file), **suspicious** (look at it), **fine** (leave it) or "
        "**unknown** (too little data; never treated as toxic) — with plain-language reasons. "
        "You have the last word on each domain, and the disavow file is merged with the one you "
        "already have.")


def _progress_callback(bar: Any) -> Any:
    def report(stage: str, done: int, total: int) -> None:
        fraction = min(max(done / total, 0.0), 1.0) if total else 1.0
        bar.progress(fraction, text=f"{stage}: {done:,} of {total:,}")
    return report


def _offline_audit(uploads: list[Upload], target: str | None) -> Any:
    key = RUNS.key(uploads, target, False)
    if RUNS.get(key) is None:
        bar = st.progress(0.0, text=f"reading {len(uploads)} file(s)")
        try:
            RUNS.audit(uploads, target=target, progress=_progress_callback(bar))
        finally:
            bar.empty()
    return RUNS.get(key)


def _ingest_section(audit: Any) -> None:
    table = ingest_table(audit.ingest)
    not_read = table[table["status"] == "not read"]
    for row in not_read.itertuples():
        st.error(f"**{row.file}** could not be read: {row.note}")
    read = table[table["status"] == "read"]
    bad_rows = int(read["rows not read"].fillna(0).sum())
    st.caption(f"{len(read)} file(s) read, {int(read['rows'].sum()):,} rows, {len(audit.backlinks):,} distinct links "
               f"from {len(audit.domains):,} referring domains" + (f"; {bad_rows:,} rows could not be read"
                                                                     if bad_rows else ""))
    st.table(table.set_index("file"))  # a few rows: static, so every value is readable text
    problems = problems_table(audit.ingest)
    if len(problems):
        with st.expander(f"Rows that could not be read ({len(audit.ingest.problems):,})"):
            st.dataframe(problems, hide_index=True)


def _lookups_section(uploads: list[Upload], target: str | None) -> Any:
    """The lookup choice; returns the lookup audit when one is available, else None."""
    mode = st.radio("What to look up", [_OFFLINE, _LOOKUPS], key="lookup_mode", horizontal=True,
                    help="Offline judges on what the exports say. Lookups ask DNS servers, registries (RDAP/WHOIS) "
                         "and the referring sites themselves; answers are cached, so a second run is instant.")
    if mode != _LOOKUPS:
        return None
    key = RUNS.key(uploads, target, True)
    done = RUNS.get(key)
    if done is not None:
        lookups = getattr(done, "lookups", None)
        calls = getattr(lookups, "network_calls", None)
        st.success("Lookups done" + (f" ({calls:,} requests; the rest came from the cache)" if calls is not None else ""))
        return done
    try:
        import detector.enrich.run  # noqa: F401  (lookups are optional until that stage ships)
    except Exception as exc:  # pragma: no cover - depends on the checkout
        st.info(f"Lookups are not available yet in this version ({exc}). The audit below is offline.")
        return None
    st.warning("Lookups send DNS, RDAP/WHOIS and HTTP requests to the referring domains' servers and their "
               "registries. Nothing else leaves this machine.")
    if st.button("Run lookups", key="run_lookups", type="primary"):
        st.button("Stop", key="stop_lookups", help="Stops after the lookups in flight; what finished is cached.")
        bar = st.progress(0.0, text="looking up")
        from detector.enrich.base import load_network_config

        try:
            RUNS.audit(uploads, target=target, lookups=True, network=load_network_config(),
                       cache_path=default_home() / "lookups.sqlite", progress=_progress_callback(bar))
        except DetectorError as exc:
            st.error(f"Lookups failed: {exc}")
            return None
        st.rerun()
    return None


def _summary_tab(audit: Any, domains: pd.DataFrame) -> None:
    counts = charts.verdict_counts(domains)
    cols = st.columns(len(VERDICTS) + 1)
    cols[0].metric("referring domains", f"{len(domains):,}")
    for col, row in zip(cols[1:], counts.itertuples()):
        col.metric(row.verdict, f"{row.domains:,}")
    view = networks.network_view(audit)
    if view is not None:
        st.caption(f"{len(view.table):,} network(s) of referring domains found")
    left, right = st.columns(2)
    with left:
        st.subheader("Risk distribution")
        st.altair_chart(charts.risk_chart(charts.risk_bins(domains)), width="stretch")
        st.subheader("Anchor-text mix")
        st.altair_chart(charts.anchor_chart(charts.anchor_mix(domains)), width="stretch")
    with right:
        st.subheader("Scheme types")
        schemes = charts.scheme_counts(domains)
        if len(schemes):
            st.altair_chart(charts.scheme_chart(schemes), width="stretch")
        else:
            st.info("No toxic or suspicious domain.")
        st.subheader("New referring domains per week (link velocity)")
        weekly = charts.first_seen_weekly(audit.backlinks, domains)
        if len(weekly):
            st.altair_chart(charts.timeline_chart(weekly), width="stretch")
        else:
            st.info("The exports carry no first-seen dates.")


def _filters(frame: pd.DataFrame) -> tables.Filters:
    c1, c2, c3 = st.columns(3)
    verdicts = c1.multiselect("Verdict", tables.options_of(frame, DOM.VERDICT), key="f_verdict")
    schemes = c2.multiselect("Scheme type", [s for s in SCHEMES if s in set(frame.get(DOM.SCHEME, []))],
                             key="f_scheme")
    tlds = c3.multiselect("TLD", tables.options_of(frame, "tld"), key="f_tld")
    c4, c5, c6 = st.columns(3)
    threshold = c4.slider("Probability at least", 0.0, 1.0, 0.0, 0.05, key="f_threshold",
                          help="Show only domains whose probability of being part of a link scheme is at least this.")
    authority = None
    if "authority_max" in frame and frame["authority_max"].notna().any():
        authority = c5.slider("Authority (DR/DA)", 0.0, 100.0, (0.0, 100.0), 1.0, key="f_authority",
                              help="Domains without authority data are always shown.")
    decided = c6.selectbox("Decision", ["all", "undecided", KEEP, DISAVOW], key="f_decided")
    c7, c8 = st.columns([2, 1])
    text = c7.text_input("Domain contains", key="f_text")
    nets: list = []
    if "network_id" in frame and frame["network_id"].notna().any():
        nets = c8.multiselect("Network", tables.options_of(frame, "network_id"), key="f_network")
    return tables.Filters(verdicts=verdicts, schemes=schemes, networks=nets, tlds=tlds, min_probability=threshold,
                          authority=authority, decided=decided, text=text)


def _details(audit: Any, frame: pd.DataFrame, domain: str, profile: str, view: Any) -> None:
    row = frame[frame[DOMAIN] == domain].iloc[0]
    verdict = None if pd.isna(row.get(DOM.VERDICT)) else str(row[DOM.VERDICT])
    probability = row.get(DOM.PROBABILITY)
    head = f"**{domain}** — {verdict or 'no verdict'}"
    if probability is not None and not pd.isna(probability):
        head += f", probability {float(probability):.2f}"
    if DOM.SCHEME in row and not pd.isna(row[DOM.SCHEME]):
        head += f", scheme {row[DOM.SCHEME]}"
    st.markdown(head)
    decision = None if pd.isna(row.get(DOM.DECISION)) else str(row[DOM.DECISION])
    for choice in (KEEP, DISAVOW):
        st.session_state[f"{choice}::{domain}"] = decision == choice
    c1, c2 = st.columns(2)
    c1.checkbox("Keep (never disavow)", key=f"{KEEP}::{domain}", on_change=_set_decision,
                args=(profile, domain, KEEP, verdict))
    c2.checkbox("Disavow", key=f"{DISAVOW}::{domain}", on_change=_set_decision,
                args=(profile, domain, DISAVOW, verdict))
    st.markdown("**Why**")
    reasons = tables.reasons_of(row.get(DOM.REASONS))
    if view is not None and view.evidence:
        reasons += view.evidence.get(domain, [])
    st.markdown("\n".join(f"- {r}" for r in reasons) or "_no reasons given_")
    links, total = tables.links_of(audit.backlinks, domain)
    st.markdown(f"**Links from this domain** ({total:,}" + (f", first {len(links):,} shown)" if total > len(links)
                                                              else ")"))
    st.dataframe(links, hide_index=True, key=f"links::{domain}")
    members = tables.network_members(frame, domain)
    if len(members):
        st.markdown(f"**Other members of its network** ({len(members):,})")
        st.dataframe(members.head(tables.MAX_LINK_ROWS), hide_index=True)


def _review_tab(audit: Any, domains: pd.DataFrame, profile: str) -> None:
    frame = tables.review_frame(domains)
    filters = _filters(frame)
    shown = tables.filter_review(frame, filters)
    st.caption(f"{len(shown):,} of {len(frame):,} referring domains match"
               + (f"; the {MAX_TABLE_ROWS:,} riskiest are listed — narrow the filters to see others"
                  if len(shown) > MAX_TABLE_ROWS else ""))
    capped = shown.head(MAX_TABLE_ROWS)
    config = {DOM.PROBABILITY: st.column_config.ProgressColumn("probability", min_value=0.0, max_value=1.0,
                                                                format="%.2f"),
              DOM.REASONS: st.column_config.TextColumn("reasons", width="large")}
    display = capped.assign(**{DOM.DECISION: capped[DOM.DECISION].fillna("")})
    event = st.dataframe(display, hide_index=True, key="review_table", on_select="rerun",
                         selection_mode="multi-row", column_config=config, height=420)
    selected_rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    selected = capped.iloc[[i for i in selected_rows if i < len(capped)]][DOMAIN].tolist()
    verdicts = dict(zip(frame[DOMAIN], frame[DOM.VERDICT].astype("string").fillna(""))) if DOM.VERDICT in frame else {}
    if selected:
        b1, b2, b3 = st.columns(3)
        b1.button(f"Keep {len(selected)} selected", key="bulk_keep", on_click=_bulk,
                  args=(profile, selected, KEEP, verdicts))
        b2.button(f"Disavow {len(selected)} selected", key="bulk_disavow", on_click=_bulk,
                  args=(profile, selected, DISAVOW, verdicts))
        b3.button(f"Clear decision on {len(selected)} selected", key="bulk_clear", on_click=_bulk,
                  args=(profile, selected, None, verdicts))
    if capped.empty:
        return
    st.subheader("Domain details")
    options = capped[DOMAIN].tolist()
    if len(selected) == 1 and selected[0] in options:
        st.session_state["detail_domain"] = selected[0]
    if st.session_state.get("detail_domain") not in options:
        st.session_state["detail_domain"] = options[0]
    domain = st.selectbox("Domain", options, key="detail_domain")
    _details(audit, frame, domain, profile, networks.network_view(audit))


def _networks_tab(audit: Any, domains: pd.DataFrame) -> None:
    view = networks.network_view(audit)
    if view is None:
        st.info("Networks are not available for this audit yet: they come from shared hosting, registration "
                "and page footprints, so run the lookups (or wait for the network stage of this version).")
        return
    if view.table.empty:
        st.success("No network found: no group of referring domains shares enough independent footprints.")
        return
    st.dataframe(view.table, hide_index=True, key="network_table")
    ids = view.table["network_id"].tolist()
    network_id = st.selectbox("Network to draw", ids, key="network_pick",
                              format_func=lambda i: f"network {i} ({int(view.table.set_index('network_id').at[i, 'size'])} domains)")
    nodes, edges = view.graph(network_id, domains)
    if len(nodes) > networks.MAX_GRAPH_NODES:
        st.warning(f"Network {network_id} has {len(nodes):,} members; too many to draw. They are listed above.")
        return
    st.altair_chart(networks.graph_chart(nodes, edges, charts.VERDICT_COLORS), width="stretch")
    if view.result is not None and int(network_id) in view.result.evidence:
        st.caption(view.result.evidence[int(network_id)].summary())


def _downloads_tab(audit: Any, domains: pd.DataFrame, decisions: dict[str, str], profile: str,
                   existing: tuple[str, bytes] | None, allow: tuple[str, bytes] | None) -> None:
    remove_kept = True
    if existing is not None:
        remove_kept = st.checkbox("Remove domains I marked keep from the current disavow file", value=True,
                                  key="remove_kept")
    try:
        ready = downloads.disavow_download(domains, decisions, existing=existing, allowlist=allow,
                                           remove_kept=remove_kept)
    except DetectorError as exc:
        st.error(f"The disavow file cannot be built: {exc}")
        return
    st.subheader("disavow.txt")
    st.markdown(ready.result.summary)
    for problem in ready.existing_problems:
        st.warning(f"Current disavow file: {problem}")
    for problem in ready.problems:
        st.caption(f"note: {problem}")
    diff = downloads.diff_table(ready.result)
    st.markdown("**What changes** against " + (f"`{existing[0]}`" if existing else "an empty file"))
    if diff.empty:
        st.info("Nothing changes.")
    else:
        st.dataframe(diff, hide_index=True, key="disavow_diff")
    st.download_button("Download disavow.txt", ready.text.encode("utf-8"), file_name="disavow.txt",
                       mime="text/plain", key="download_disavow", type="primary", on_click="ignore")
    with st.expander("Preview disavow.txt"):
        st.code(ready.text, language=None)
    st.subheader("Report")
    st.download_button("Download full report (CSV)", downloads.report_csv(domains), file_name="domains.csv",
                       mime="text/csv", key="download_report", on_click="ignore")
    labels = _store().export_labels(profile)
    st.download_button(f"Download my decisions as labels for `detector train` ({len(decisions):,})",
                       labels.encode("utf-8"), file_name="labels.csv", mime="text/csv", key="download_labels",
                       on_click="ignore", disabled=not decisions)


# --- the page --------------------------------------------------------------------------

def main() -> None:
    """Render the whole app (called by ``app.py`` on every rerun)."""
    st.set_page_config(page_title="linkdetector", layout="wide")
    uploads, existing, allow = _sidebar()
    if not uploads:
        _intro()
        st.info("Start by uploading one or more backlink exports in the sidebar.")
        return
    st.title("linkdetector")
    try:
        audit = _offline_audit(uploads, None)
    except DetectorError as exc:
        st.error(f"No file could be read. {exc}")
        return
    _ingest_section(audit)

    st.header("2. Target and lookups")
    inferred = audit.target.registrable_domain if audit.target is not None else ""
    target_key = "target::" + ",".join(sorted(u.sha256[:12] for u in uploads))
    target = st.text_input("Target site (inferred from the exports; edit if wrong)", value=inferred or "",
                           key=target_key).strip()
    if target and target.lower() != (inferred or "").lower():
        try:
            audit = _offline_audit(uploads, target)
        except DetectorError as exc:
            st.error(str(exc))
            return
    looked_up = _lookups_section(uploads, target or None)
    if looked_up is not None:
        audit = looked_up

    profile = profile_key(target or audit.target)
    decisions = _store().load(profile)
    domains = apply_decisions(audit.domains, decisions)
    if decisions:
        st.caption(f"{len(decisions):,} decision(s) of yours on {profile or 'this site'} are applied.")

    summary, review, network, download = st.tabs(["Summary", "Review", "Networks", "Downloads"])
    with summary:
        _summary_tab(audit, domains)
    with review:
        _review_tab(audit, domains, profile)
    with network:
        _networks_tab(audit, domains)
    with download:
        _downloads_tab(audit, domains, decisions, profile, existing, allow)
