"""Regenerate the sample exports in this folder (deterministic; no network).

    python data/samples/_generate.py

One fictional site, Velora (``velora-bikes.com``, e-bikes), and one fictional link
profile written out in every export format the ingest stage reads. All referring
domains are invented names.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = "https://velora-bikes.com"
RNG = random.Random(20260509)


@dataclass
class Link:
    source: str
    target: str
    anchor: str
    title: str
    kind: str  # natural / pbn / hacked / pharma / comment / farm / paid
    nofollow: bool = False
    ugc: bool = False
    sponsored: bool = False
    image: bool = False
    dr: int = 30
    traffic: int = 1000
    language: str = "en"
    http: str = "200"
    lost: bool = False


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0]


LINKS: list[Link] = [
    # natural: news, blogs, universities, directories of merit, forums
    Link("https://www.riverton-gazette.com/business/2026/03/local-ebike-maker-velora-expands", f"{SITE}/", "Velora", "Local e-bike maker Velora expands | Riverton Gazette", "natural", dr=78, traffic=3_400_000_000),
    Link("https://www.riverton-gazette.com/lifestyle/commuting-without-a-car", f"{SITE}/blog/commuter-guide", "a commuter's guide from Velora", "Commuting without a car", "natural", dr=78, traffic=3_400_000_000),
    Link("https://news.dailycommuter-weekly.co.uk/reviews/velora-city-2", f"{SITE}/bikes/city-2", "Velora City 2", "Velora City 2 review", "natural", dr=71, traffic=850_000, language="en, fr"),
    Link("https://pedalnotes-journal.net/2025/11/my-first-month-on-an-ebike/", f"{SITE}/bikes/trail-x", "this trail bike", "My first month on an e-bike - Pedal Notes", "natural", dr=34, traffic=4_200),
    Link("https://greenwheels-diary.blogspot.com/2026/01/winter-riding.html", f"{SITE}/blog/winter-riding", "winter riding tips", "Winter riding | Greenwheels diary", "natural", nofollow=True, dr=91, traffic=120),
    Link("https://transport.northfield-univ.edu/research/micromobility-2026", f"{SITE}/", "velora-bikes.com", "Micromobility study 2026 - Northfield University", "natural", dr=82, traffic=56_000),
    Link("https://www.lakemont-university.ac.uk/sustainability/cycle-scheme", f"{SITE}/business/fleet", "Velora fleet programme", "Staff cycle scheme", "natural", dr=76, traffic=41_000),
    Link("https://cycletrade-association.org/members/velora", f"{SITE}/", "Velora Bikes Ltd", "Members - Cycle Trade Association", "natural", dr=55, traffic=9_800),
    Link("https://www.ebike-owners-forum.net/threads/velora-battery-range.4412/", f"{SITE}/support/battery", "battery range chart", "Velora battery range? | E-bike Owners Forum", "natural", ugc=True, dr=48, traffic=22_000),
    Link("https://www.urbanrider-magazine.com/gear/best-city-bikes-2026", f"{SITE}/bikes/city-2", "Velora City 2", "Best city bikes of 2026", "natural", sponsored=True, dr=67, traffic=310_000, http="301, 301"),
    Link("https://www.urbanrider-magazine.com/gear/ebike-photos", f"{SITE}/bikes/trail-x", "Velora Trail X photo", "E-bike gallery", "natural", image=True, dr=67, traffic=310_000),
    Link("https://hilltop-cycling-club.org/links", f"{SITE}/", "Velora", "Useful links - Hilltop Cycling Club", "natural", dr=29, traffic=800),
    # PBN: thin sites with money anchors
    Link("https://best-ebike-reviews-2026.xyz/top-picks/", f"{SITE}/bikes/city-2", "best electric bikes", "Top picks", "pbn", dr=41, traffic=12),
    Link("https://cycling-tips-hub.top/electric-bikes-guide/", f"{SITE}/", "best electric bikes", "Electric bikes guide", "pbn", dr=38, traffic=0),
    Link("https://greenride-weekly.site/why-ebikes/", f"{SITE}/bikes/trail-x", "cheap electric bikes", "Why e-bikes", "pbn", dr=36, traffic=5),
    Link("https://bikeblog-network.online/commute/", f"{SITE}/", "buy electric bike online", "Commute", "pbn", dr=35, traffic=0),
    Link("https://urban-mobility-insider.website/2026/02/ebikes/", f"{SITE}/bikes/city-2", "best electric bikes", "E-bikes", "pbn", dr=40, traffic=3),
    # hacked pages with gambling injections
    Link("https://oldtown-bakery-shop.com/wp-content/uploads/slot-gacor-maxwin.html", f"{SITE}/", "slot gacor maxwin", "SLOT GACOR HARI INI", "hacked", dr=22, traffic=40, language="id"),
    Link("https://www.lakeside-dental-care.com/images/.cache/togel/situs-togel.php", f"{SITE}/", "situs togel terpercaya", "Situs togel", "hacked", dr=27, traffic=15, language="id"),
    Link("https://slot-gacor-maxwin88.xyz/link/velora", f"{SITE}/", "daftar slot gacor", "Slot gacor", "hacked", dr=8, traffic=0, language="id"),
    # pharma
    Link("https://cheap-meds-rx24.biz/partners.html", f"{SITE}/", "buy cheap viagra", "Partners", "pharma", dr=5, traffic=0),
    Link("https://viagra-online-pharma.top/links/", f"{SITE}/bikes/city-2", "cialis without prescription", "Links", "pharma", dr=3, traffic=0),
    # comment spam with exact-match anchors
    Link("https://wanderlust-travelnotes.com/2025/08/alps-by-bike/#comment-8812", f"{SITE}/bikes/trail-x", "best electric bikes", "Alps by bike", "comment", nofollow=True, ugc=True, dr=44, traffic=6_500),
    Link("https://wanderlust-travelnotes.com/2025/09/lakes-tour/#comment-9120", f"{SITE}/", "cheap e-bikes", "Lakes tour", "comment", nofollow=True, ugc=True, dr=44, traffic=6_500),
    Link("https://homebrew-kitchen-blog.net/sourdough-basics/#comment-551", f"{SITE}/", "electric bikes for sale", "Sourdough basics", "comment", dr=31, traffic=2_100),
    Link("https://seo-links-4u.info/profile/velora-bikes", f"{SITE}/", "best electric bikes", "Profile", "comment", dr=12, traffic=0),
    # link farms / low-quality directories
    Link("https://free-web-directory-links.info/sports/cycling/page-14", f"{SITE}/", "Velora Bikes", "Cycling - Free Web Directory", "farm", dr=18, traffic=30),
    Link("https://top-100-sites-list.click/shopping/bikes", f"{SITE}/", "electric bike shop", "Bikes | Top 100 sites", "farm", dr=15, traffic=0),
    Link("https://seo-bookmarks-hub.info/story/velora-ebikes", f"{SITE}/", "best electric bikes", "Velora e-bikes bookmark", "farm", dr=14, traffic=0, lost=True),
    # paid guest post without rel=sponsored
    Link("https://lifestyle-trends-daily.com/sponsored-ish/why-ebikes-win", f"{SITE}/bikes/city-2", "best electric bikes 2026", "Why e-bikes win", "paid", dr=52, traffic=14_000),
]

TOXIC_KINDS = {"pbn", "hacked", "pharma", "farm"}


def _when(i: int, days_back: int = 600) -> dt.datetime:
    base = dt.datetime(2026, 5, 9, 16, 34, 28)
    return base - dt.timedelta(days=(i * 37) % days_back, hours=i % 11, minutes=(i * 7) % 60)


def _first_seen(i: int) -> dt.datetime:
    return _when(i) - dt.timedelta(days=120 + i)


def _csv(rows: list[list[object]], delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _tf(b: bool, style: str = "lower") -> str:
    text = "true" if b else "false"
    return text.upper() if style == "upper" else text


def ahrefs_backlinks() -> list[list[object]]:
    header = ["Referring page title", "Referring page URL", "Language", "Platform",
              "Referring page HTTP code", "Domain rating", "UR", "Domain traffic",
              "Referring domains", "Linked domains", "External links", "Page traffic",
              "Keywords", "Target URL", "Left context", "Anchor", "Right context",
              "Redirect Chain URLs", "Redirect Chain status codes", "Type", "Is spam",
              "Content", "Nofollow", "UGC", "Sponsored", "Rendered", "Raw", "Lost status",
              "Drop reason", "Discovered status", "First seen", "Last seen", "Lost", "Author",
              "Page type", "Page category", "Links in group"]
    rows: list[list[object]] = [header]
    for i, ln in enumerate(LINKS):
        spam = ln.kind in TOXIC_KINDS and i % 2 == 0
        lost_at = _when(i) + dt.timedelta(days=3) if ln.lost else None
        rows.append([
            ln.title, ln.source, ln.language, "cms" if ln.kind == "natural" else "",
            ln.http, ln.dr, RNG.randint(0, 40), ln.traffic,
            RNG.randint(0, 5000) if ln.kind == "natural" else RNG.randint(0, 40),
            RNG.randint(10, 400), RNG.randint(3, 300),
            RNG.randint(0, 2000) if ln.traffic else 0, RNG.randint(0, 80),
            ln.target, "read more about", ln.anchor, "here", "", "",
            "image" if ln.image else "text", _tf(spam), _tf(ln.kind != "comment"),
            _tf(ln.nofollow), _tf(ln.ugc), _tf(ln.sponsored), "true", "true",
            "removedfromhtml" if ln.lost else "", "", "linkfound",
            _first_seen(i).strftime("%Y-%m-%d %H:%M:%S"), _when(i).strftime("%Y-%m-%d %H:%M:%S"),
            lost_at.strftime("%Y-%m-%d %H:%M:%S") if lost_at else "", "", "article", "", 1,
        ])
    return rows


def ahrefs_referring_domains() -> list[list[object]]:
    header = ["Domain", "DR", "Dofollow ref. domains", "Dofollow linked domains", "Traffic ",
              "Keywords", "Links to target", "New links", "Dofollow links", "First seen", "Lost",
              "Is spam"]
    rows: list[list[object]] = [header]
    seen: dict[str, int] = {}
    for i, ln in enumerate(LINKS):
        seen.setdefault(_host(ln.source).removeprefix("www."), i)
    for host, i in seen.items():
        ln = LINKS[i]
        rows.append([host, ln.dr, RNG.randint(0, 3000), RNG.randint(1, 900), f"{ln.traffic:,}",
                     RNG.randint(0, 900), 1 + i % 3, 0, 0 if ln.nofollow else 1,
                     _first_seen(i).strftime("%Y-%m-%d %H:%M:%S"), "",
                     _tf(ln.kind in TOXIC_KINDS)])
    return rows


def semrush_backlinks(old: bool = False) -> list[list[object]]:
    lead = ["Page score", "Page trust score"] if old else ["Page ascore"]
    header = lead + ["Source title", "Source url", "Target url", "Anchor", "External links",
                     "Internal links", "Nofollow"] + ([] if old else ["Sponsored", "Ugc"]) + [
        "Text", "Frame", "Form", "Image", "Sitewide", "First seen", "Last seen"] + (
        [] if old else ["New link", "Lost link"])
    rows: list[list[object]] = [header]
    for i, ln in enumerate(LINKS):
        if i % 4 == 3:  # semrush misses some links
            continue
        score = [max(ln.dr // 2, 0), max(ln.dr // 3, 0)] if old else [max(ln.dr - 5, 0)]
        rel = [] if old else [_tf(ln.sponsored, "upper"), _tf(ln.ugc, "upper")]
        tail = [] if old else [_tf(False, "upper"), _tf(ln.lost, "upper")]
        date_fmt = "%Y-%m-%d" if old else "%b %d, %Y"
        rows.append(score + [ln.title, ln.source, ln.target, ln.anchor, f"{RNG.randint(3, 2400):,}",
                             RNG.randint(5, 150), _tf(ln.nofollow, "upper")] + rel + [
            _tf(not ln.image, "upper"), "FALSE", "FALSE", _tf(ln.image, "upper"),
            _tf(ln.kind == "farm", "upper"), _first_seen(i).strftime(date_fmt),
            _when(i).strftime(date_fmt)] + tail)
    return rows


def semrush_backlink_audit() -> list[list[object]]:
    header = ["Source url", "Source title", "Target url", "Anchor", "Toxicity Score",
              "Toxic markers", "Page ascore", "Domain ascore", "Nofollow", "First seen", "Last seen"]
    rows: list[list[object]] = [header]
    for i, ln in enumerate(LINKS):
        toxic = {"pbn": 72, "hacked": 88, "pharma": 95, "farm": 64, "comment": 45,
                 "paid": 38}.get(ln.kind, 8 + i % 10)
        markers = {"pbn": "Potentially Unnatural Link Profile, Link Network",
                   "hacked": "Spam Keyword In Anchor, Gambling Theme",
                   "pharma": "Pharma Keywords, Toxic Domain",
                   "farm": "Low Quality Directory",
                   "comment": "Exact Match Anchor"}.get(ln.kind, "")
        rows.append([ln.source, ln.title, ln.target, ln.anchor, toxic, markers,
                     max(ln.dr - 7, 0), ln.dr, _tf(ln.nofollow, "upper"),
                     _first_seen(i).strftime("%Y-%m-%d"), _when(i).strftime("%Y-%m-%d")])
    return rows


def semrush_referring_domains() -> list[list[object]]:
    header = ["Domain ascore", "Domain", "Backlinks", "IP", "Country", "First seen", "Last seen"]
    rows: list[list[object]] = [header]
    done: set[str] = set()
    for i, ln in enumerate(LINKS):
        host = _host(ln.source).removeprefix("www.")
        if host in done:
            continue
        done.add(host)
        rows.append([max(ln.dr - 4, 0), host, 1 + i % 4, f"203.0.113.{10 + i}", "US" if i % 3 else "",
                     _first_seen(i).strftime("%Y-%m-%d"), _when(i).strftime("%Y-%m-%d")])
    return rows


def majestic_backlinks() -> list[list[object]]:
    header = ["Target URL", "Source URL", "Anchor Text", "Source Crawl Date",
              "Source First Found Date", "FlagNoFollow", "FlagImageLink", "FlagRedirect",
              "FlagFrame", "FlagOldCrawl", "FlagAltText", "FlagMention", "SourceCitationFlow",
              "SourceTrustFlow", "TargetCitationFlow", "TargetTrustFlow",
              "SourceTopicalTrustFlow_Topic_0", "SourceTopicalTrustFlow_Value_0",
              "RefDomainTopicalTrustFlow_Topic_0", "RefDomainTopicalTrustFlow_Value_0"]
    rows: list[list[object]] = [header]
    for i, ln in enumerate(LINKS):
        natural = ln.kind == "natural"
        cf = max(ln.dr - 10, 1)
        tf = cf - 3 if natural else max(cf // 6, 0)
        rows.append([ln.target, ln.source, "" if ln.image else ln.anchor,
                     _when(i).strftime("%Y-%m-%d"), _first_seen(i).strftime("%Y-%m-%d"),
                     "+" if ln.nofollow else "", "+" if ln.image else "", "", "", "",
                     ln.anchor if ln.image else "", "", cf, tf, 35, 28,
                     "Recreation/Cycling" if natural else "Games/Gambling" if ln.kind == "hacked" else "Shopping",
                     tf, "Recreation/Cycling", 20])
    return rows


def majestic_api() -> list[list[object]]:
    header = ["SourceURL", "ACRank", "AnchorText", "Date", "FlagRedirect", "FlagFrame",
              "FlagNoFollow", "FlagImages", "FlagDeleted", "FlagAltText", "FlagMention",
              "TargetURL", "DomainID", "FirstIndexedDate", "LastSeenDate", "DateLost",
              "ReasonLost", "LinkType", "LinkSubType", "SourceTrustFlow", "SourceCitationFlow"]
    rows: list[list[object]] = [header]
    for i, ln in enumerate(LINKS):
        if i % 3 == 2:
            continue
        rows.append([ln.source, RNG.randint(0, 9), ln.anchor, _when(i).strftime("%Y-%m-%d"),
                     0, 0, 1 if ln.nofollow else 0, 1 if ln.image else 0, 1 if ln.lost else 0,
                     0, 0, ln.target, 1000 + i, _first_seen(i).strftime("%Y-%m-%d"),
                     _when(i).strftime("%Y-%m-%d"),
                     (_when(i) + dt.timedelta(days=3)).strftime("%Y-%m-%d") if ln.lost else "",
                     "Lost" if ln.lost else "", "ImgLink" if ln.image else "TextLink", "",
                     max(ln.dr // 3, 0), max(ln.dr // 2, 1)])
    return rows


def moz_links() -> str:
    preamble = ("Link Explorer export for velora-bikes.com\r\n"
                "Inbound Links,Exported 2026-05-10\r\n"
                "Filters: all links, all targets\r\n\r\n")
    header = ["URL", "Title", "Anchor Text", "Spam Score", "Page Authority", "Domain Authority",
              "Number of Domains Linking to this Page", "Number of Domains Linking to Domain",
              "Origin", "Target URL", "Link Equity", "No Link Equity", "Only rel=nofollow",
              "Only follow", "301"]
    rows: list[list[object]] = [header]
    for i, ln in enumerate(LINKS):
        if i % 5 == 4:
            continue
        spam = {"pbn": "60%", "hacked": "74%", "pharma": "91%", "farm": "55%", "comment": "31%"}.get(ln.kind, f"{1 + i % 6}%")
        nf = ln.nofollow
        redirect = ln.http.startswith("301")
        rows.append([ln.source, ln.title, ln.anchor, spam, max(ln.dr - 12, 1), max(ln.dr - 6, 1),
                     f"{RNG.randint(0, 1800):,}", f"{RNG.randint(0, 90000):,}", "external", ln.target,
                     "No" if nf else "Yes", "Yes" if nf else "No", "Yes" if nf else "No",
                     "No" if nf else "Yes", "Yes" if redirect else "No"])
    return preamble + _csv(rows)


def gsc_zip() -> bytes:
    sites: dict[str, int] = {}
    for ln in LINKS:
        host = _host(ln.source).removeprefix("www.")
        sites[host] = sites.get(host, 0) + 1
    top = [["Site", "Linking pages", "Target pages"]] + [
        [h, f"{n * 1240 if h.startswith('riverton') else n:,}", 1 + n // 2] for h, n in sites.items()]
    latest = [["Linking page", "Last crawled"]] + [
        [ln.source, _when(i).strftime("%b %d, %Y")] for i, ln in enumerate(LINKS) if i % 2 == 0]
    sample = [["Linking page"]] + [[ln.source] for i, ln in enumerate(LINKS) if i % 2 == 1]
    pages = [["Target page", "Incoming links", "Linking sites"],
             [f"{SITE}/", "1,402", 31], [f"{SITE}/bikes/city-2", 220, 12]]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in [("Top linking sites.csv", top), ("Latest links.csv", latest),
                           ("More sample links.csv", sample), ("Top linked pages.csv", pages)]:
            info = zipfile.ZipInfo(name, date_time=(2026, 5, 10, 9, 0, 0))
            archive.writestr(info, _csv(rows).encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def gsc_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Latest links"
    sheet.append(["Linking page", "Last crawled"])
    for i, ln in enumerate(LINKS):
        sheet.append([ln.source, _when(i).date()])
    meta = book.create_sheet("Metadata")
    meta.append(["Property", "Value"])
    meta.append(["Site", "sc-domain:velora-bikes.com"])
    book.properties.created = dt.datetime(2026, 5, 10, 9, 0, 0)
    book.properties.modified = dt.datetime(2026, 5, 10, 9, 0, 0)
    book.save(path)


def bing(domains: bool = False) -> bytes:
    if domains:
        counts: dict[str, int] = {}
        for ln in LINKS:
            host = _host(ln.source).removeprefix("www.")
            counts[host] = counts.get(host, 0) + 1
        rows = [["Domain", "Backlinks Count"]] + [[h, n] for h, n in counts.items()]
    else:
        rows = [["Source Url", "Anchor text", "Target Url"]] + [
            [ln.source, ln.anchor, ln.target] for i, ln in enumerate(LINKS) if i % 6 != 5]
    return codecs.BOM_UTF8 + _csv(rows, quoting=csv.QUOTE_ALL).encode("utf-8")


def plain_list() -> str:
    lines = ["URL"]
    for i, ln in enumerate(LINKS):
        if ln.kind == "natural":
            continue
        lines.append(_host(ln.source) if i % 3 == 0 else ln.source)
    return "\n".join(lines) + "\n"


def existing_disavow() -> str:
    lines = ["# Disavow file for velora-bikes.com", "# uploaded 2025-12-01 by the SEO team", ""]
    done: set[str] = set()
    for ln in LINKS:
        host = _host(ln.source).removeprefix("www.")
        if ln.kind in {"pbn", "pharma"} and host not in done:
            done.add(host)
            lines.append(f"domain:{host}")
    lines += ["", "# hacked pages on otherwise fine sites: URL level",
              "https://oldtown-bakery-shop.com/wp-content/uploads/slot-gacor-maxwin.html",
              "domain:old-partner-network.info"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ahrefs = ahrefs_backlinks()  # one export, written the two ways Ahrefs offers
    (HERE / "ahrefs_backlinks_utf16.csv").write_bytes(
        codecs.BOM_UTF16_LE + _csv(ahrefs, delimiter="\t").encode("utf-16-le"))
    (HERE / "ahrefs_backlinks_utf8.csv").write_bytes(_csv(ahrefs).encode("utf-8"))
    (HERE / "ahrefs_referring_domains.csv").write_bytes(_csv(ahrefs_referring_domains()).encode("utf-8"))
    (HERE / "semrush_backlinks.csv").write_bytes(_csv(semrush_backlinks()).encode("utf-8"))
    (HERE / "semrush_backlinks_old.csv").write_bytes(_csv(semrush_backlinks(old=True)).encode("utf-8"))
    (HERE / "semrush_backlink_audit.csv").write_bytes(_csv(semrush_backlink_audit()).encode("utf-8"))
    (HERE / "semrush_referring_domains.csv").write_bytes(_csv(semrush_referring_domains()).encode("utf-8"))
    (HERE / "majestic_backlinks.csv").write_bytes(_csv(majestic_backlinks()).encode("utf-8"))
    (HERE / "majestic_api.csv").write_bytes(_csv(majestic_api()).encode("utf-8"))
    (HERE / "moz_links.csv").write_bytes(moz_links().encode("utf-8"))
    (HERE / "gsc_links.zip").write_bytes(gsc_zip())
    gsc_xlsx(HERE / "gsc_latest_links.xlsx")
    (HERE / "bing_backlinks.csv").write_bytes(bing())
    (HERE / "bing_domains.csv").write_bytes(bing(domains=True))
    (HERE / "plain_list.txt").write_text(plain_list(), encoding="utf-8")
    (HERE / "existing_disavow.txt").write_text(existing_disavow(), encoding="utf-8")


if __name__ == "__main__":
    main()
