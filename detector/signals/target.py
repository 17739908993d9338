"""The site being audited: its hosts, brand, keywords and language.

Anchor classes need to know whose backlinks these are: "Acme" is a branded anchor only
for acme.com, and "electric bikes" is a money anchor only for a shop that sells them.
Most exports name the target of every link, so :func:`infer_target` reads it from the
frame; GSC "Top linking sites" and other domain-level exports have no targets, so a
:class:`TargetSite` can also be built by hand with :meth:`TargetSite.from_domain`.

>>> t = TargetSite.from_domain("https://www.Acme-Bikes.co.uk/", language="en")
>>> t.registrable_domain, t.brand_tokens
('acme-bikes.co.uk', ('acme-bikes', 'acmebikes', 'acme bikes'))
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from detector.keys import domain_key, host_of, is_ip
from detector.schema import BL

__all__ = ["TargetSite", "infer_target", "primary_language"]

_SLUG_SPLIT = re.compile(r"[-_+\s]+")
_STOP_WORDS = frozenset(
    "a an and the of for to in on with by at from or is are how what why who your our my "
    "de la le les des du et el los las y en und der die das mit von für il di e".split()
)


@dataclass(frozen=True)
class TargetSite:
    """The audited site, as far as anchors and languages need it."""

    hosts: tuple[str, ...] = ()  #: hosts of the site seen as link targets (www.acme.com, shop.acme.com)
    registrable_domain: str = ""  #: registrable domain of the site (acme.com); "" when unknown
    brand_tokens: tuple[str, ...] = ()  #: lower-case strings whose presence makes an anchor branded
    language: str | None = None  #: dominant language (primary subtag, "en"), None when unknown
    keywords: tuple[str, ...] = field(default=())  #: money phrases from target URL slugs (not brand)

    @classmethod
    def from_domain(
        cls,
        site: str,
        *,
        brand: str | list[str] | tuple[str, ...] = (),
        language: str | None = None,
        keywords: tuple[str, ...] = (),
    ) -> "TargetSite":
        """A target built by hand from its domain or URL, extra brand names and language."""
        host = host_of(site)
        registrable = domain_key(host) if host else ""
        extra = (brand,) if isinstance(brand, str) else tuple(brand)
        return cls(
            hosts=(host,) if host else (),
            registrable_domain=registrable,
            brand_tokens=brand_tokens_of(registrable, extra),
            language=primary_language(language) if language else None,
            keywords=tuple(keywords),
        )


def brand_tokens_of(registrable: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Brand strings of a registrable domain plus ``extra`` names (lower-case, distinct).

    The label before the public suffix in three spellings (as is, without separators,
    with spaces). Labels shorter than 3 characters are skipped: "ab" would match half
    the anchors on the web.

    >>> brand_tokens_of("my_shop.com", ("My Shop",))
    ('my_shop', 'myshop', 'my shop')
    """
    tokens: list[str] = []
    label = registrable.split(".", 1)[0] if registrable and not is_ip(registrable) else ""
    candidates = [label, re.sub(r"[-_]", "", label), re.sub(r"[-_]", " ", label)]
    for name in extra:
        name = name.strip().lower()
        candidates += [name, re.sub(r"[\s\-_.]", "", name)]
    for token in candidates:
        token = token.strip()
        if len(token) >= 3 and token not in tokens:
            tokens.append(token)
    return tuple(tokens)


def primary_language(value: object) -> str | None:
    """The primary subtag of the first language in a tool's language cell.

    >>> primary_language("en-US, fr"), primary_language(""), primary_language(None)
    ('en', None, None)
    """
    if not isinstance(value, str):
        return None
    first = value.split(",", 1)[0].strip().lower().replace("_", "-")
    primary = first.split("-", 1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def infer_target(backlinks: pd.DataFrame, *, brand: tuple[str, ...] = ()) -> TargetSite | None:
    """Infer the audited site from a canonical Backlinks frame.

    The target is the registrable domain of the most common target host; its hosts are
    every target host under that domain; keywords are the multi-word slugs of its
    target URLs. The language is the most common linking-page language counted once per
    referring domain (so one big site cannot outvote a hundred small ones). Returns None
    when the frame says nothing about targets or languages (e.g. a GSC domain list).
    """
    if backlinks is None or len(backlinks) == 0:
        return None
    hosts = _target_hosts(backlinks)
    registrable = ""
    site_hosts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    if hosts.notna().any():
        counts = hosts.value_counts()
        keys = {h: domain_key(h) for h in counts.index}
        by_key: Counter[str] = Counter()
        for host, n in counts.items():
            by_key[keys[host]] += int(n)
        registrable = by_key.most_common(1)[0][0]
        site_hosts = tuple(sorted(h for h, k in keys.items() if k == registrable))
        tokens = brand_tokens_of(registrable, brand)
        keywords = _slug_keywords(backlinks, hosts, set(site_hosts), tokens)
    else:
        tokens = brand_tokens_of("", brand)
    language = _dominant_language(backlinks)
    if not registrable and language is None and not tokens:
        return None
    return TargetSite(site_hosts, registrable, tokens, language, keywords)


def _target_hosts(backlinks: pd.DataFrame) -> pd.Series:
    hosts = backlinks.get(BL.TARGET_HOST)
    if hosts is None:
        hosts = pd.Series(pd.NA, index=backlinks.index, dtype="string")
    hosts = hosts.astype("string")
    urls = backlinks.get(BL.TARGET_URL)
    if urls is not None:
        missing = hosts.isna() & urls.notna()
        if missing.any():
            distinct = urls[missing].astype("string").unique()
            mapping = {u: (host_of(u) or pd.NA) for u in distinct}
            hosts = hosts.copy()
            hosts[missing] = urls[missing].map(mapping)
    return hosts.replace("", pd.NA)


def _slug_keywords(
    backlinks: pd.DataFrame, hosts: pd.Series, site_hosts: set[str], brand: tuple[str, ...],
    limit: int = 200,
) -> tuple[str, ...]:
    urls = backlinks.get(BL.TARGET_URL)
    if urls is None:
        return ()
    on_site = urls[hosts.isin(site_hosts).fillna(False)].dropna()
    counts: Counter[str] = Counter()
    for url, n in on_site.value_counts().items():
        phrase = _slug_phrase(str(url))
        if phrase and not any(b in phrase or phrase in b for b in brand):
            counts[phrase] += int(n)
    return tuple(p for p, _ in counts.most_common(limit))


def _slug_phrase(url: str) -> str:
    """The last path segment of ``url`` as a phrase, when it reads like one (>= 2 words).

    >>> _slug_phrase("https://acme.com/shop/electric-bikes/?ref=1")
    'electric bikes'
    >>> _slug_phrase("https://acme.com/about"), _slug_phrase("https://acme.com/p/12345-x")
    ('', '')
    """
    path = url.split("://", 1)[-1]
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    segments = [s for s in path.split("/")[1:] if s]
    if not segments:
        return ""
    last = re.sub(r"\.(?:html?|php|aspx?)$", "", segments[-1].lower())
    words = [w for w in _SLUG_SPLIT.split(last) if w and not w.isdigit()]
    words = [w for w in words if w not in _STOP_WORDS and len(w) >= 2]
    if len(words) < 2 or len(words) > 6 or not all(w.isalpha() for w in words):
        return ""
    return " ".join(words)


def _dominant_language(backlinks: pd.DataFrame) -> str | None:
    langs = backlinks.get(BL.LANGUAGE)
    domains = backlinks.get(BL.DOMAIN)
    if langs is None or langs.notna().sum() == 0:
        return None
    frame = pd.DataFrame({"d": domains if domains is not None else pd.NA, "l": langs}).dropna(subset=["l"])
    distinct = frame["l"].unique()
    mapping = {v: primary_language(v) for v in distinct}
    frame["l"] = frame["l"].map(mapping)
    frame = frame.dropna(subset=["l"])
    if frame.empty:
        return None
    per_domain = frame.drop_duplicates() if frame["d"].notna().any() else frame
    counts = per_domain["l"].value_counts()
    return str(counts.index[0])
