"""The registry of known export formats and header-based format detection.

Each :class:`ExportFormat` names the tool, the canonical column each header maps to
(with aliases: tools rename columns between versions and UI languages), how each value
is parsed, and which columns must be present for the format to match. Matching compares
*compact* header keys: lower-case letters and digits only, so ``Referring Page URL``,
``referring page url `` and ``ReferringPageURL`` are the same column.

>>> compact_key(" Dofollow ref. domains ")
'dofollowrefdomains'
>>> detect_format(["Linking page", "Last crawled"]).format.id
'gsc_latest_links'
>>> detect_format(["Source Url", "Anchor text", "Target Url"]).format.tool
'bing'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Sequence

from detector.schema import BL

__all__ = [
    "Column",
    "ExportFormat",
    "FormatMatch",
    "compact_key",
    "detect_format",
    "known_formats",
    "get_format",
    "PLAIN_LIST",
    "DISAVOW",
]

# value kinds a Column can have (see detector.ingest.values)
STR: Final = "str"  #: text as exported (URLs trimmed)
FIRST: Final = "first"  #: first item of a multi-valued cell (``en, fr`` -> ``en``)
LOWER: Final = "lower"  #: first item, lower-cased (link types)
BOOL: Final = "bool"  #: true/false, yes/no, 1/0; anything else -> NA (counted)
FLAG: Final = "flag"  #: Majestic flag: empty = unset (False), any marker = set (True)
FLOAT: Final = "float"  #: number, thousands separators allowed, first of multi-values
INT: Final = "int"  #: integer (HTTP codes), first of multi-values
TIME: Final = "time"  #: date or timestamp, to UTC
HOST: Final = "host"  #: a domain-level export's domain column (becomes source_url and host)

_COMPACT = re.compile(r"[\W_]+", re.UNICODE)


def compact_key(header_cell: str) -> str:
    """The matching key of a header cell: lower-case letters and digits only."""
    return _COMPACT.sub("", (header_cell or "").replace("\ufeff", "").lower())


@dataclass(frozen=True)
class Column:
    """One column of an export format and where it goes."""

    target: str  #: canonical column (``BL.*``) or a helper name starting with ``_``
    aliases: tuple[str, ...]  #: header names seen for it, first is the documented one
    kind: str = STR  #: how values are parsed (str, first, lower, bool, flag, float, int, time, host)

    @property
    def keys(self) -> tuple[str, ...]:
        """Compact keys of the aliases."""
        return tuple(dict.fromkeys(compact_key(a) for a in self.aliases))


@dataclass(frozen=True)
class ExportFormat:
    """A known export format: its id, tool, required columns and column mapping."""

    id: str  #: stable format id written to the ``format`` column, e.g. ``ahrefs_backlinks``
    tool: str  #: tool name written to the ``tool`` column
    title: str  #: human name, e.g. "Ahrefs Site Explorer > Backlinks"
    columns: tuple[Column, ...] = ()  #: mapping from header names to canonical columns
    required: tuple[str, ...] = ()  #: targets of columns that must be present to match
    level: str = "link"  #: "link" (one row per link), "domain" (one row per domain) or "list"
    link_type_flags: tuple[tuple[str, str], ...] = ()  #: (helper flag column, link type), first set wins
    link_type_default: str | None = None  #: link type when every flag column says "unset"
    notes: str = ""  #: what is special about the format

    def column(self, target: str) -> Column:
        """The column mapped to ``target``."""
        for col in self.columns:
            if col.target == target:
                return col
        raise KeyError(target)

    def resolve(self, header: Sequence[str]) -> dict[str, int]:
        """Map each target to the index of its header cell (first alias present wins)."""
        positions: dict[str, int] = {}
        for i, cell in enumerate(header):
            positions.setdefault(compact_key(cell), i)
        found: dict[str, int] = {}
        for col in self.columns:
            for key in col.keys:
                if key in positions and col.target not in found:
                    found[col.target] = positions[key]
                    break
        return found

    def describe(self) -> str:
        """One line: id, tool and required header names."""
        req = ", ".join(self.column(t).aliases[0] for t in self.required) or "-"
        return f"{self.id:<28} {self.tool:<9} requires: {req}"


@dataclass(frozen=True)
class FormatMatch:
    """How well a header matches one format."""

    format: ExportFormat  #: the candidate format
    found: dict[str, int]  #: target -> header index of every mapped column present
    missing: tuple[str, ...]  #: documented header names of required columns not present

    @property
    def complete(self) -> bool:
        """True when every required column is present."""
        return not self.missing

    @property
    def score(self) -> tuple[int, int, int]:
        """Sort key: complete first, then most header columns explained, then most required."""
        n_required = len(self.format.required)
        return (int(self.complete), len(self.found), n_required - len(self.missing))


def _c(target: str, *aliases: str, kind: str = STR) -> Column:
    return Column(target, aliases, kind)


_LINK_COMMON_TIMES = (
    _c(BL.FIRST_SEEN, "First seen", "First found", "First indexed", kind=TIME),
    _c(BL.LAST_SEEN, "Last seen", "Last check", "Last checked", "Last visited", kind=TIME),
)

AHREFS_BACKLINKS = ExportFormat(
    id="ahrefs_backlinks",
    tool="ahrefs",
    title="Ahrefs Site Explorer > Backlinks",
    columns=(
        _c(BL.SOURCE_TITLE, "Referring page title", "Referring Page Title", "Title"),
        _c(BL.SOURCE_URL, "Referring page URL", "Referring Page URL", "Referring page"),
        _c(BL.LANGUAGE, "Language", kind=FIRST),
        _c(BL.HTTP_CODE, "Referring page HTTP code", "HTTP code", kind=INT),
        _c(BL.DOMAIN_AUTHORITY, "Domain rating", "DR", kind=FLOAT),
        _c(BL.PAGE_AUTHORITY, "UR", "URL Rating", kind=FLOAT),
        _c(BL.DOMAIN_TRAFFIC, "Domain traffic", kind=FLOAT),
        _c(BL.SOURCE_REFERRING_DOMAINS, "Referring domains", kind=FLOAT),
        _c(BL.LINKED_DOMAINS, "Linked domains", kind=FLOAT),
        _c(BL.EXTERNAL_LINKS, "External links", kind=FLOAT),
        _c(BL.PAGE_TRAFFIC, "Page traffic", kind=FLOAT),
        _c(BL.KEYWORDS, "Keywords", kind=FLOAT),
        _c(BL.TARGET_URL, "Target URL", "Link URL"),
        _c(BL.ANCHOR, "Anchor", "Link Anchor", "Anchor text"),
        _c(BL.LINK_TYPE, "Type", "Link type", kind=LOWER),
        _c(BL.AHREFS_IS_SPAM, "Is spam", kind=BOOL),
        _c(BL.NOFOLLOW, "Nofollow", kind=BOOL),
        _c(BL.UGC, "UGC", kind=BOOL),
        _c(BL.SPONSORED, "Sponsored", kind=BOOL),
        _c(BL.LOST_STATUS, "Lost status", kind=LOWER),
        *_LINK_COMMON_TIMES,
        _c(BL.LOST_AT, "Lost", kind=TIME),
    ),
    required=(BL.SOURCE_URL, BL.TARGET_URL),
    notes="UTF-16 TAB 'for Excel' and UTF-8 comma exports; old title-case headers accepted",
)

AHREFS_REFERRING_DOMAINS = ExportFormat(
    id="ahrefs_referring_domains",
    tool="ahrefs",
    title="Ahrefs Site Explorer > Referring domains",
    columns=(
        _c(BL.SOURCE_URL, "Domain", "Referring domain", kind=HOST),
        _c(BL.DOMAIN_AUTHORITY, "DR", "Domain rating", kind=FLOAT),
        _c(BL.SOURCE_REFERRING_DOMAINS, "Dofollow ref. domains", "Ref. domains dofollow", kind=FLOAT),
        _c(BL.LINKED_DOMAINS, "Dofollow linked domains", "Linked domains dofollow", kind=FLOAT),
        _c(BL.DOMAIN_TRAFFIC, "Traffic", "Domain traffic", kind=FLOAT),
        _c("_links", "Links to target"),
        _c("_dofollow_links", "Dofollow links"),
        _c(BL.FIRST_SEEN, "First seen", kind=TIME),
        _c(BL.LOST_AT, "Lost", kind=TIME),
        _c(BL.AHREFS_IS_SPAM, "Is spam", kind=BOOL),
    ),
    required=(BL.SOURCE_URL, BL.DOMAIN_AUTHORITY),
    level="domain",
)

_SEMRUSH_LINK_COLUMNS = (
    _c(BL.SOURCE_TITLE, "Source title"),
    _c(BL.SOURCE_URL, "Source url"),
    _c(BL.TARGET_URL, "Target url"),
    _c(BL.ANCHOR, "Anchor"),
    _c(BL.EXTERNAL_LINKS, "External links", kind=FLOAT),
    _c(BL.INTERNAL_LINKS, "Internal links", kind=FLOAT),
    _c(BL.NOFOLLOW, "Nofollow", kind=BOOL),
    _c(BL.SPONSORED, "Sponsored", kind=BOOL),
    _c(BL.UGC, "Ugc", kind=BOOL),
    _c("_text", "Text", kind=BOOL),
    _c("_frame", "Frame", kind=BOOL),
    _c("_form", "Form", kind=BOOL),
    _c("_image", "Image", kind=BOOL),
    _c(BL.SITEWIDE, "Sitewide", kind=BOOL),
    *_LINK_COMMON_TIMES,
    _c("_new", "New link", kind=BOOL),
    _c("_lost", "Lost link", kind=BOOL),
)
_SEMRUSH_LINK_TYPES = (("_image", "image"), ("_frame", "frame"), ("_form", "form"), ("_text", "text"))

SEMRUSH_BACKLINKS = ExportFormat(
    id="semrush_backlinks",
    tool="semrush",
    title="Semrush Backlink Analytics > Backlinks",
    columns=(_c(BL.PAGE_AUTHORITY, "Page ascore", "Page AS", kind=FLOAT), *_SEMRUSH_LINK_COLUMNS),
    required=(BL.SOURCE_URL, BL.TARGET_URL, BL.PAGE_AUTHORITY),
    link_type_flags=_SEMRUSH_LINK_TYPES,
    notes="'Lost link' TRUE sets lost_status 'lost' (lost_at stays NA: Semrush gives no date)",
)

SEMRUSH_BACKLINKS_OLD = ExportFormat(
    id="semrush_backlinks_old",
    tool="semrush",
    title="Semrush Backlinks (older header with Page score / Page trust score)",
    columns=(
        _c(BL.PAGE_AUTHORITY, "Page score", kind=FLOAT),
        _c("_page_trust", "Page trust score", kind=FLOAT),
        *_SEMRUSH_LINK_COLUMNS,
    ),
    required=(BL.SOURCE_URL, BL.TARGET_URL, BL.PAGE_AUTHORITY),
    link_type_flags=_SEMRUSH_LINK_TYPES,
)

SEMRUSH_BACKLINK_AUDIT = ExportFormat(
    id="semrush_backlink_audit",
    tool="semrush",
    title="Semrush Backlink Audit",
    columns=(
        _c(BL.SEMRUSH_TOXICITY, "Toxicity Score", "Toxic score", "Toxicity", kind=FLOAT),
        _c("_toxic_markers", "Toxic markers"),
        _c(BL.PAGE_AUTHORITY, "Page ascore", "Page AS", kind=FLOAT),
        _c(BL.DOMAIN_AUTHORITY, "Domain ascore", "Domain AS", kind=FLOAT),
        _c(BL.SOURCE_URL, "Source url", "Source URL", "Referring page URL"),
        *[c for c in _SEMRUSH_LINK_COLUMNS if c.target != BL.SOURCE_URL],
    ),
    required=(BL.SOURCE_URL, BL.SEMRUSH_TOXICITY),
    link_type_flags=_SEMRUSH_LINK_TYPES,
)

SEMRUSH_REFERRING_DOMAINS = ExportFormat(
    id="semrush_referring_domains",
    tool="semrush",
    title="Semrush Backlink Analytics > Referring Domains",
    columns=(
        _c(BL.DOMAIN_AUTHORITY, "Domain ascore", "Domain AS", kind=FLOAT),
        _c(BL.SOURCE_URL, "Domain", "Root domain", kind=HOST),
        _c("_backlinks", "Backlinks"),
        _c("_ip", "IP"),
        _c("_country", "Country"),
        _c(BL.FIRST_SEEN, "First seen", kind=TIME),
        _c(BL.LAST_SEEN, "Last seen", kind=TIME),
    ),
    required=(BL.SOURCE_URL, BL.DOMAIN_AUTHORITY),
    level="domain",
)

_MAJESTIC_FLAGS = (
    _c(BL.NOFOLLOW, "FlagNoFollow", kind=FLAG),
    _c("_redirect", "FlagRedirect", kind=FLAG),
    _c("_frame", "FlagFrame", kind=FLAG),
    _c("_old_crawl", "FlagOldCrawl", kind=FLAG),
    _c("_alt_text", "FlagAltText", kind=FLAG),
    _c("_mention", "FlagMention", kind=FLAG),
    _c("_deleted", "FlagDeleted", kind=FLAG),
)
_MAJESTIC_LINK_TYPES = (
    ("_redirect", "redirect"),
    ("_image", "image"),
    ("_alt_text", "image"),
    ("_frame", "frame"),
    ("_mention", "mention"),
)

MAJESTIC_BACKLINKS = ExportFormat(
    id="majestic_backlinks",
    tool="majestic",
    title="Majestic Site Explorer > Backlinks download",
    columns=(
        _c(BL.TARGET_URL, "Target URL"),
        _c(BL.SOURCE_URL, "Source URL"),
        _c(BL.ANCHOR, "Anchor Text"),
        _c(BL.LAST_SEEN, "Source Crawl Date", kind=TIME),
        _c(BL.FIRST_SEEN, "Source First Found Date", kind=TIME),
        _c("_image", "FlagImageLink", kind=FLAG),
        *_MAJESTIC_FLAGS,
        _c(BL.CITATION_FLOW, "SourceCitationFlow", kind=FLOAT),
        _c(BL.TRUST_FLOW, "SourceTrustFlow", kind=FLOAT),
        _c("_target_cf", "TargetCitationFlow", kind=FLOAT),
        _c("_target_tf", "TargetTrustFlow", kind=FLOAT),
        _c("_topic", "SourceTopicalTrustFlow_Topic_0"),
    ),
    required=(BL.SOURCE_URL, BL.TARGET_URL, BL.NOFOLLOW),
    link_type_flags=_MAJESTIC_LINK_TYPES,
    link_type_default="text",
)

MAJESTIC_API = ExportFormat(
    id="majestic_api",
    tool="majestic",
    title="Majestic API GetBackLinkData",
    columns=(
        _c(BL.SOURCE_URL, "SourceURL"),
        _c("_acrank", "ACRank", kind=FLOAT),
        _c(BL.ANCHOR, "AnchorText"),
        _c(BL.LAST_SEEN, "LastSeenDate", "Date", kind=TIME),
        _c("_image", "FlagImages", kind=FLAG),
        *_MAJESTIC_FLAGS,
        _c(BL.TARGET_URL, "TargetURL"),
        _c("_domain_id", "DomainID"),
        _c(BL.FIRST_SEEN, "FirstIndexedDate", kind=TIME),
        _c(BL.LOST_AT, "DateLost", kind=TIME),
        _c(BL.LOST_STATUS, "ReasonLost", kind=LOWER),
        _c("_link_type", "LinkType", kind=LOWER),
        _c("_link_subtype", "LinkSubType"),
        _c(BL.CITATION_FLOW, "SourceCitationFlow", kind=FLOAT),
        _c(BL.TRUST_FLOW, "SourceTrustFlow", kind=FLOAT),
    ),
    required=(BL.SOURCE_URL, BL.TARGET_URL, BL.NOFOLLOW),
    link_type_flags=_MAJESTIC_LINK_TYPES,
    link_type_default="text",
    notes="FlagDeleted without ReasonLost sets lost_status 'deleted'",
)

MOZ_LINKS = ExportFormat(
    id="moz_links",
    tool="moz",
    title="Moz Link Explorer / Open Site Explorer inbound links",
    columns=(
        _c(BL.SOURCE_URL, "URL", "Source URL"),
        _c(BL.SOURCE_TITLE, "Title"),
        _c(BL.ANCHOR, "Anchor Text"),
        _c(BL.MOZ_SPAM_SCORE, "Spam Score", kind=FLOAT),
        _c(BL.PAGE_AUTHORITY, "Page Authority", kind=FLOAT),
        _c(BL.DOMAIN_AUTHORITY, "Domain Authority", kind=FLOAT),
        _c(BL.SOURCE_REFERRING_DOMAINS, "Number of Domains Linking to this Page", kind=FLOAT),
        _c("_domains_to_domain", "Number of Domains Linking to Domain", kind=FLOAT),
        _c("_origin", "Origin"),
        _c(BL.TARGET_URL, "Target URL"),
        _c("_link_equity", "Link Equity", kind=BOOL),
        _c("_no_link_equity", "No Link Equity", kind=BOOL),
        _c("_only_nofollow", "Only rel=nofollow", kind=BOOL),
        _c("_only_follow", "Only follow", kind=BOOL),
        _c("_redirect", "301", kind=BOOL),
    ),
    required=(BL.SOURCE_URL, BL.TARGET_URL, BL.DOMAIN_AUTHORITY),
    link_type_flags=(("_redirect", "redirect"),),
    notes="preamble lines before the header; nofollow from 'Only rel=nofollow' / 'Only follow'",
)

GSC_LATEST_LINKS = ExportFormat(
    id="gsc_latest_links",
    tool="gsc",
    title="Google Search Console > Links > Latest links",
    columns=(
        _c(BL.SOURCE_URL, "Linking page", "Linking pages"),
        _c(BL.LAST_SEEN, "Last crawled", kind=TIME),
    ),
    required=(BL.SOURCE_URL, BL.LAST_SEEN),
)

GSC_MORE_SAMPLE_LINKS = ExportFormat(
    id="gsc_more_sample_links",
    tool="gsc",
    title="Google Search Console > Links > More sample links",
    columns=(_c(BL.SOURCE_URL, "Linking page", "Linking pages"),),
    required=(BL.SOURCE_URL,),
)

GSC_TOP_LINKING_SITES = ExportFormat(
    id="gsc_top_linking_sites",
    tool="gsc",
    title="Google Search Console > Links > Top linking sites",
    columns=(
        _c(BL.SOURCE_URL, "Site", "Linking site", kind=HOST),
        _c("_linking_pages", "Linking pages", kind=FLOAT),
        _c("_target_pages", "Target pages", kind=FLOAT),
    ),
    required=(BL.SOURCE_URL, "_linking_pages"),
    level="domain",
)

BING_BACKLINKS = ExportFormat(
    id="bing_backlinks",
    tool="bing",
    title="Bing Webmaster Tools > Backlinks (pages)",
    columns=(
        _c(BL.SOURCE_URL, "Source Url"),
        _c(BL.ANCHOR, "Anchor text"),
        _c(BL.TARGET_URL, "Target Url"),
    ),
    required=(BL.SOURCE_URL, BL.ANCHOR, BL.TARGET_URL),
)

BING_DOMAINS = ExportFormat(
    id="bing_domains",
    tool="bing",
    title="Bing Webmaster Tools > Backlinks (referring domains)",
    columns=(
        _c(BL.SOURCE_URL, "Domain", kind=HOST),
        _c("_backlinks", "Backlinks Count", kind=FLOAT),
    ),
    required=(BL.SOURCE_URL, "_backlinks"),
    level="domain",
)

#: One URL or domain a line, optionally under a one-word header (read by ingest.lists).
PLAIN_LIST = ExportFormat(
    id="plain_list",
    tool="list",
    title="Plain list of URLs or domains, one a line",
    level="list",
)

#: An existing Google disavow file: ``domain:`` entries, URLs and ``#`` comments.
DISAVOW = ExportFormat(
    id="disavow",
    tool="disavow",
    title="Existing Google disavow file",
    level="list",
)

_TABLE_FORMATS: Final[tuple[ExportFormat, ...]] = (
    AHREFS_BACKLINKS,
    AHREFS_REFERRING_DOMAINS,
    SEMRUSH_BACKLINKS,
    SEMRUSH_BACKLINKS_OLD,
    SEMRUSH_BACKLINK_AUDIT,
    SEMRUSH_REFERRING_DOMAINS,
    MAJESTIC_BACKLINKS,
    MAJESTIC_API,
    MOZ_LINKS,
    GSC_LATEST_LINKS,
    GSC_MORE_SAMPLE_LINKS,
    GSC_TOP_LINKING_SITES,
    BING_BACKLINKS,
    BING_DOMAINS,
)


def known_formats() -> tuple[ExportFormat, ...]:
    """Every format the reader recognises, table formats first, then list formats."""
    return (*_TABLE_FORMATS, PLAIN_LIST, DISAVOW)


def get_format(format_id: str) -> ExportFormat:
    """The format with id ``format_id`` (KeyError when unknown)."""
    for fmt in known_formats():
        if fmt.id == format_id:
            return fmt
    raise KeyError(format_id)


def match_all(header: Sequence[str]) -> list[FormatMatch]:
    """Every table format that maps at least one header column, best first."""
    matches = []
    for fmt in _TABLE_FORMATS:
        found = fmt.resolve(header)
        if not found:
            continue
        missing = tuple(fmt.column(t).aliases[0] for t in fmt.required if t not in found)
        matches.append(FormatMatch(fmt, found, missing))
    matches.sort(key=lambda m: m.score, reverse=True)  # stable: registry order breaks ties
    return matches


def detect_format(header: Sequence[str]) -> FormatMatch | None:
    """The best-matching table format for a header row (complete or not), or None.

    Case, spacing and punctuation do not matter. Check ``.complete`` before reading.
    """
    matches = match_all(header)
    return matches[0] if matches else None


def closest_match(header: Sequence[str]) -> FormatMatch | None:
    """The incomplete match with the largest share of required columns (for error messages)."""
    matches = match_all(header)
    if not matches:
        return None
    return max(
        matches,
        key=lambda m: ((len(m.format.required) - len(m.missing)) / max(len(m.format.required), 1),
                       len(m.found)),
    )
