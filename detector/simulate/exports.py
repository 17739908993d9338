"""Backlink exports of a target, in each tool's real format, seen imperfectly.

Each tool sees a sample of the true links (``WorldConfig.tool_coverage``: a referring
domain is covered or not, then 90 % of its links), reports its own metrics (the true
authority plus tool noise; Majestic's Trust Flow lags Citation Flow on manufactured
sites) and leaves a share of metric cells empty (``missing_rate``). Headers and
encodings follow ``FORMATS.md`` (copied into ``docs/simulation.md``).

:func:`write_exports` writes every file for one target into a folder:
``ahrefs_backlinks_utf16.csv``, ``ahrefs_backlinks_utf8.csv``,
``ahrefs_referring_domains.csv``, ``semrush_backlinks.csv``,
``semrush_backlink_audit.csv``, ``majestic_backlinks.csv``, ``moz_links.csv``,
``gsc_links.zip``, ``gsc_latest_links.xlsx``, ``bing_backlinks.csv``,
``plain_list.txt``, ``existing_disavow.txt``. Output bytes depend only on the world.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["write_exports", "tool_view", "EXPORT_FILES"]

EXPORT_FILES = ("ahrefs_backlinks_utf16.csv", "ahrefs_backlinks_utf8.csv", "ahrefs_referring_domains.csv",
                "semrush_backlinks.csv", "semrush_backlink_audit.csv", "majestic_backlinks.csv",
                "moz_links.csv", "gsc_links.zip", "gsc_latest_links.xlsx", "bing_backlinks.csv",
                "plain_list.txt", "existing_disavow.txt")

AHREFS_COLUMNS = ["Referring page title", "Referring page URL", "Language", "Platform",
                  "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
                  "Linked domains", "External links", "Page traffic", "Keywords", "Target URL", "Left context",
                  "Anchor", "Right context", "Redirect Chain URLs", "Redirect Chain status codes", "Type",
                  "Is spam", "Content", "Nofollow", "UGC", "Sponsored", "Rendered", "Raw", "Lost status",
                  "Drop reason", "Discovered status", "First seen", "Last seen", "Lost", "Author", "Page type",
                  "Page category", "Links in group"]
AHREFS_RD_COLUMNS = ["Domain", "DR", "Dofollow ref. domains", "Dofollow linked domains", "Traffic ",
                     "Keywords", "Links to target", "New links", "Dofollow links", "First seen", "Lost", "Is spam"]
SEMRUSH_COLUMNS = ["Page ascore", "Source title", "Source url", "Target url", "Anchor", "External links",
                   "Internal links", "Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image",
                   "Sitewide", "First seen", "Last seen", "New link", "Lost link"]
SEMRUSH_AUDIT_COLUMNS = ["Source url", "Source title", "Target url", "Anchor", "Authority Score",
                         "Toxicity Score", "Toxic markers", "Nofollow", "Sponsored", "Ugc", "First seen",
                         "Last seen"]
MAJESTIC_COLUMNS = ["Target URL", "Source URL", "Anchor Text", "Source Crawl Date", "Source First Found Date",
                    "FlagNoFollow", "FlagImageLink", "FlagRedirect", "FlagFrame", "FlagOldCrawl", "FlagAltText",
                    "FlagMention", "SourceCitationFlow", "SourceTrustFlow", "TargetCitationFlow",
                    "TargetTrustFlow", "SourceTopicalTrustFlow_Topic_0", "SourceTopicalTrustFlow_Value_0",
                    "RefDomainTopicalTrustFlow_Topic_0", "RefDomainTopicalTrustFlow_Value_0"]
MOZ_COLUMNS = ["URL", "Title", "Anchor Text", "Spam Score", "Page Authority", "Domain Authority",
               "Number of Domains Linking to this Page", "Number of Domains Linking to Domain", "Origin",
               "Target URL", "Link Equity", "No Link Equity", "Only rel=nofollow", "Only follow", "301"]

_TOOLS = ("ahrefs", "semrush", "majestic", "moz", "gsc", "bing", "list")
_FIXED_ZIP_TIME = (2026, 7, 1, 0, 0, 0)
_SPAMMY = {"pbn", "link_farm", "spam_theme", "hacked", "parked"}


def tool_view(world: "World", tool: str, target: str) -> pd.DataFrame:  # noqa: F821
    """The links to ``target`` one tool sees, joined with its noisy domain metrics.

    Columns: the links table's, plus ``dr`` (authority), ``tf``, ``cf``, ``traffic``,
    ``spam`` (the tool's own 0-100 spam guess, inputs never truth), ``language``,
    ``scheme``, ``kind``, ``http_failure``. Missing metrics are NaN.
    """
    cfg = world.config
    rng = np.random.default_rng([cfg.seed, _TOOLS.index(tool), sum(map(ord, target))])
    links = world.links[world.links["target_url"].str.startswith(f"https://{target}/")]
    doms = world.domains.set_index("domain")
    names = links["domain"].unique()
    covered = pd.Series(rng.random(len(names)) < cfg.tool_coverage.get(tool, 0.7), index=names)
    keep = links["domain"].map(covered).to_numpy() & (rng.random(len(links)) < 0.9)
    first_of_domain = ~links["domain"].duplicated().to_numpy()
    keep |= links["domain"].map(covered).to_numpy() & first_of_domain
    view = links[keep].copy()
    d = doms.loc[view["domain"].unique()]
    n = len(d)
    spammy = d["scheme"].isin(list(_SPAMMY)).to_numpy()
    auth = np.clip(d["authority"].to_numpy() + rng.normal(0, cfg.metric_noise, n), 0, 100).round(0)
    cf = np.clip(auth + rng.normal(0, 4, n), 0, 100).round(0)
    tf = np.clip(np.where(spammy, cf * rng.uniform(0.1, 0.45, n), cf * rng.uniform(0.55, 1.0, n)), 0, 100).round(0)
    traffic = np.floor(d["traffic"].to_numpy() * rng.lognormal(0, 0.5, n))
    spam = np.clip(np.where(spammy | d["toxic"].to_numpy(), rng.normal(55, 20, n), rng.normal(15, 12, n)), 0, 100).round(0)
    metrics = pd.DataFrame({"dr": auth, "tf": tf, "cf": cf, "traffic": traffic, "spam": spam}, index=d.index)
    for c in metrics.columns:
        metrics.loc[rng.random(n) < cfg.missing_rate, c] = np.nan
    view = view.join(metrics, on="domain")
    view = view.join(d[["language", "scheme", "kind", "http_failure", "cms"]], on="domain")
    view["page_auth"] = np.clip(view["dr"].to_numpy() * rng.uniform(0.3, 0.9, len(view)), 0, 100).round(0)
    view["external_links"] = rng.integers(1, 60, len(view)).astype(float)
    view.loc[view["kind"].isin(["aggregator", "bibliography", "link_farm", "directory"]), "external_links"] *= 8
    view["internal_links"] = rng.integers(5, 120, len(view)).astype(float)
    view["rand"] = rng.random(len(view))
    for c in ("first_seen", "last_seen", "lost_at"):  # formatted once, vectorised
        view[f"{c}_s"] = view[c].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").astype(object)
        view[f"{c}_d"] = view[c].dt.strftime("%Y-%m-%d").fillna("").astype(object)
    return view.reset_index(drop=True)


def _ts(v: pd.Timestamp, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return "" if pd.isna(v) else pd.Timestamp(v).strftime(fmt)


def _num(v: float) -> str:
    return "" if pd.isna(v) else str(int(v))


def _http_code(failure: str) -> str:
    return {"404": "404", "500": "500", "redirect_loop": "301"}.get(str(failure or ""), "200")


def _csv_text(header: list[str], rows: list[list[str]], *, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _ahrefs_rows(v: pd.DataFrame) -> list[list[str]]:
    platform = {"wordpress": "CMS", "phpbb": "Forums", "shopify-like": "Ecommerce"}
    rows = []
    for r in v.itertuples(index=False):
        rel = str(r.rel or "")
        lost = r.lost_at
        rows.append([
            r.page_title, r.source_url, r.language, platform.get(str(r.cms), ""), _http_code(r.http_failure),
            _num(r.dr), _num(r.page_auth), _num(r.traffic), _num(r.page_auth * 3 if not pd.isna(r.page_auth) else np.nan),
            _num(r.external_links / 2), _num(r.external_links), _num(r.traffic / 20 if not pd.isna(r.traffic) else np.nan),
            _num(r.traffic / 50 if not pd.isna(r.traffic) else np.nan), r.target_url, "", r.anchor, "", "", "",
            r.link_type, "true" if (not pd.isna(r.spam) and r.spam > 70) else "false", "true",
            str("nofollow" in rel).lower(), str("ugc" in rel).lower(), str("sponsored" in rel).lower(),
            "false", "true", "removedfromhtml" if not pd.isna(lost) else "", "", "linkfound",
            r.first_seen_s, r.last_seen_s, r.lost_at_s, "", "", "", "1"])
    return rows


def _semrush_rows(v: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in v.itertuples(index=False):
        rel = str(r.rel or "")
        b = lambda x: "TRUE" if x else "FALSE"  # noqa: E731
        rows.append([_num(r.page_auth), r.page_title, r.source_url, r.target_url, r.anchor, _num(r.external_links),
                     _num(r.internal_links), b("nofollow" in rel), b("sponsored" in rel), b("ugc" in rel),
                     b(r.link_type == "text"), "FALSE", "FALSE", b(r.link_type == "image"), b(r.sitewide),
                     r.first_seen_d, r.last_seen_d, "FALSE",
                     b(not pd.isna(r.lost_at))])
    return rows


def _semrush_audit_rows(v: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in v.itertuples(index=False):
        rel = str(r.rel or "")
        markers = []
        if not pd.isna(r.spam) and r.spam > 50:
            markers.append("Potentially unnatural anchor")
        if r.kind in ("link_farm", "directory"):
            markers.append("Link network")
        rows.append([r.source_url, r.page_title, r.target_url, r.anchor, _num(r.dr), _num(r.spam),
                     "; ".join(markers), str("nofollow" in rel).upper(), str("sponsored" in rel).upper(),
                     str("ugc" in rel).upper(), r.first_seen_d, r.last_seen_d])
    return rows


def _majestic_rows(v: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in v.itertuples(index=False):
        rel = str(r.rel or "")
        topic = "Recreation/Cycling" if r.scheme == "natural" else "Shopping/General"
        rows.append([r.target_url, r.source_url, r.anchor, r.last_seen_d,
                     r.first_seen_d, "+" if "nofollow" in rel else "",
                     "+" if r.link_type == "image" else "", "", "", "", "+" if r.link_type == "image" else "", "",
                     _num(r.cf), _num(r.tf), "35", "28", topic, _num(r.tf), topic, _num(r.tf)])
    return rows


def _moz_rows(v: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in v.itertuples(index=False):
        nofollow = "nofollow" in str(r.rel or "")
        yn = lambda x: "Yes" if x else "No"  # noqa: E731
        rows.append([r.source_url, r.page_title, r.anchor, _num(r.spam), _num(r.page_auth), _num(r.dr),
                     _num(r.rand * 20 + 1), _num(r.rand * 400 + 5), "external", r.target_url,
                     yn(not nofollow), yn(nofollow), yn(nofollow), yn(not nofollow), "No"])
    return rows


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, members[name])
    return buf.getvalue()


def _xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    """An .xlsx of one sheet, with fixed document times and zip times (reproducible)."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Latest links")
    ws.append(header)
    for r in rows:
        ws.append(r)
    fixed = dt.datetime(2026, 7, 1)
    wb.properties.created = fixed
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps "modified" with the wall clock and zip entries with now: rewrite both
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    members = {}
    for name in src.namelist():
        data = src.read(name)
        if name == "docProps/core.xml":
            import re

            data = re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                          rb"<dcterms:modified\1>2026-07-01T00:00:00Z</dcterms:modified>", data)
        members[name] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():  # keep [Content_Types].xml first
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, members[name])
    return out.getvalue()


def _thousands(n: int) -> str:
    return f"{n:,}"


def write_exports(world: "World", folder: str | Path, target: str | None = None) -> list[Path]:  # noqa: F821
    """Write every export file for ``target`` (default: the first target) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = target or world.targets[0]
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        p = folder / name
        p.write_bytes(data)
        written.append(p)

    ah = tool_view(world, "ahrefs", target)
    ah_rows = _ahrefs_rows(ah)
    put("ahrefs_backlinks_utf8.csv", _csv_text(AHREFS_COLUMNS, ah_rows).encode("utf-8"))
    put("ahrefs_backlinks_utf16.csv",
        b"\xff\xfe" + _csv_text(AHREFS_COLUMNS, ah_rows, delimiter="\t").encode("utf-16-le"))
    ah["_follow"] = ~ah["rel"].fillna("").str.contains("nofollow", regex=False).to_numpy()
    g = ah.groupby("domain", sort=True)
    agg = pd.DataFrame({"dr": g["dr"].first(), "ext": g["external_links"].first(), "traffic": g["traffic"].first(),
                        "spam": g["spam"].first(), "links": g.size(), "follow": g["_follow"].sum(),
                        "first": g["first_seen"].min(), "lost": g["lost_at"].max(),
                        "all_lost": g["lost_at"].count() == g.size()})
    rd_rows = [[dom, _num(r.dr), _num(r.dr * 7), _num(r.ext / 2), _num(r.traffic), _num(r.traffic / 50),
                str(int(r.links)), "0", str(int(r.follow)), _ts(r.first), _ts(r.lost) if r.all_lost else "",
                "true" if (not pd.isna(r.spam) and r.spam > 70) else "false"]
               for dom, r in zip(agg.index, agg.itertuples(index=False))]
    put("ahrefs_referring_domains.csv", _csv_text(AHREFS_RD_COLUMNS, rd_rows).encode("utf-8"))

    sr = tool_view(world, "semrush", target)
    put("semrush_backlinks.csv", _csv_text(SEMRUSH_COLUMNS, _semrush_rows(sr)).encode("utf-8"))
    put("semrush_backlink_audit.csv", _csv_text(SEMRUSH_AUDIT_COLUMNS, _semrush_audit_rows(sr)).encode("utf-8"))

    mj = tool_view(world, "majestic", target)
    put("majestic_backlinks.csv", _csv_text(MAJESTIC_COLUMNS, _majestic_rows(mj)).encode("utf-8"))

    mz = tool_view(world, "moz", target)
    preamble = (f"Moz Link Explorer - Inbound Links\r\nTarget: https://{target}/\r\n"
                f"Exported: {world.config.as_of}\r\n\r\n")
    put("moz_links.csv", (preamble + _csv_text(MOZ_COLUMNS, _moz_rows(mz))).encode("utf-8"))

    gs = tool_view(world, "gsc", target)
    latest = [[u, t] for u, t in zip(gs["source_url"], gs["last_seen_d"])]
    g = gs.groupby("domain", sort=True)
    counts = pd.DataFrame({"pages": g.size(), "targets": g["target_url"].nunique()})
    counts = counts.reset_index().sort_values(["pages", "domain"], ascending=[False, True])
    top = [[d, _thousands(int(p)), _thousands(int(t))] for d, p, t in
           zip(counts["domain"], counts["pages"], counts["targets"])]
    put("gsc_links.zip", _zip_bytes({
        "Latest links.csv": _csv_text(["Linking page", "Last crawled"], latest).encode("utf-8"),
        "Top linking sites.csv": _csv_text(["Site", "Linking pages", "Target pages"], top).encode("utf-8"),
    }))
    xrows = [[u, pd.Timestamp(t).date()] for u, t in zip(gs["source_url"], gs["last_seen"])]
    put("gsc_latest_links.xlsx", _xlsx_bytes(["Linking page", "Last crawled"], xrows))

    bg = tool_view(world, "bing", target)
    put("bing_backlinks.csv", ("\ufeff" + _csv_text(["Source Url", "Anchor text", "Target Url"],
                                                   [[r.source_url, r.anchor, r.target_url] for r in bg.itertuples()],
                                                   quoting=csv.QUOTE_ALL)).encode("utf-8"))

    pl = tool_view(world, "list", target)
    put("plain_list.txt", ("".join(f"{u}\n" for u in pl["source_url"].drop_duplicates())).encode("utf-8"))

    put("existing_disavow.txt", _existing_disavow(world, target).encode("utf-8"))
    return written


def _existing_disavow(world: "World", target: str) -> str:  # noqa: F821
    """A partial disavow file the user already uploaded: some toxic domains, a few URLs."""
    rng = np.random.default_rng([world.config.seed, 99])
    d = world.domains
    toxic = d[(d["role"] == "referring") & d["toxic"] & (d["target"] == target)]["domain"].sort_values()
    picked = toxic[rng.random(len(toxic)) < world.config.existing_disavow_share].tolist()
    lines = [f"# Disavow file for https://{target}/", "# uploaded after the 2025 link audit", ""]
    urls = world.links[world.links["domain"].isin(picked[: max(1, len(picked) // 5)])]["source_url"].head(3).tolist()
    lines += [f"domain:{p}" for p in picked[len(urls):]]
    if urls:
        lines += ["", "# single pages"] + urls
    return "\n".join(lines) + "\n"
