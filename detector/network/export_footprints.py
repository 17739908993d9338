"""Footprints read straight from the backlink export, no lookup needed.

Three kinds, all in the family ``export`` (they come from one crawler's view, so they
only corroborate footprints of other families, never make a network on their own):

* ``title_pattern``: the linking page's title with the site's own name, numbers and
  separators normalised (``"10 Best Slots | Acme Blog"`` on ``acme-blog.com`` becomes
  ``"# best slots | {site}"``). Generic titles ("Home", "Blog") are dropped.
* ``path_scheme``: the shape of the linking URL's path, literals kept for plain words and
  placeholders for the rest (``/2024/03/best-bikes-2/`` becomes ``/YYYY/MM/slug-N/``).
  Paths of one segment, and paths with no placeholder at all (a page, not a scheme),
  are dropped.
* ``first_seen_burst``: the domain's first link falls in a burst, a window of
  ``window_days`` in which far more new referring domains appeared than the profile's
  own average rate predicts (key: the burst's first and last day).

Links between referring domains are edges, not keys: see :mod:`.interlinks`, and pass
them to :func:`~detector.network.find_networks` as ``interlinks``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.dtypes import StringDType

from detector.schema import BL, DOMAIN

__all__ = ["title_pattern", "path_scheme", "first_seen_by_domain", "burst_footprints", "export_footprints"]

_SEPARATORS = re.compile(r"\s*[|\u2013\u2014\u00b7\u00bb:\u2022]\s*|\s+-\s+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+")
_GENERIC = frozenset("""home homepage start startseite accueil inicio blog news index welcome contact about us page
pages not found error untitled main site website web official the to of and a an in on for at by with my our
your default new post posts archive archives category tag search results login sign up""".split())


def _site_names(domain: str) -> tuple[str, ...]:
    """How a site may name itself in a title: the domain, its first label, and spellings."""
    label = domain.split(".")[0] if domain else ""
    names = {domain, label, label.replace("-", " "), label.replace("-", "")}
    return tuple(sorted((n for n in names if len(n) >= 3), key=len, reverse=True))


def _with_site_replaced(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        if name in text:
            text = text.replace(name, "{site}")
    return text


def title_pattern(title: object, domain: str) -> str | None:
    """The shape of a page title, or ``None`` when it is too generic to tell anything.

    >>> title_pattern("10 Best Slots | Acme Blog", "acme-blog.com")
    '# best slots | {site}'
    >>> title_pattern("Home - acme-blog.com", "acme-blog.com") is None
    True
    """
    if not isinstance(title, str) or not title.strip():
        return None
    return _title_shape(_with_site_replaced(title.strip().lower(), _site_names(domain)))


def _title_patterns(titles: pd.Series, domains: pd.Series) -> np.ndarray:
    """:func:`title_pattern` of many (title, domain) pairs, as an object array.

    A million-link export repeats titles and domains, and most titles do not name their
    own site: whether they do is one vectorised substring test per spelling of the site
    name, titles that don't are shaped once per distinct text, and only the others take
    the per-pair replacement of :func:`title_pattern`.
    """
    text = pd.Series(pd.array(titles, dtype="string")).str.strip().str.lower()
    present = (text.notna() & (text != "")).to_numpy(dtype=bool)
    text_np = text.to_numpy(dtype=object, na_value="").astype(StringDType())
    domain_codes, domain_uniques = pd.factorize(pd.Series(pd.array(domains, dtype="string")))
    names = [_site_names(str(d)) for d in domain_uniques]
    names_of_pair = np.zeros(len(text), dtype=bool)
    for k in range(max((len(n) for n in names), default=0)):
        probe = np.array([n[k] if k < len(n) else "" for n in names], dtype=StringDType())
        has_probe = np.array([k < len(n) for n in names], dtype=bool)
        names_of_pair |= has_probe[domain_codes] & (np.strings.find(text_np, probe[domain_codes]) >= 0)
    out = np.full(len(text), None, dtype=object)
    plain = present & ~names_of_pair
    codes, uniques = pd.factorize(text[plain])
    shapes = np.array([_title_shape(t) for t in uniques] + [None], dtype=object)
    out[plain] = shapes[codes]
    named = np.flatnonzero(present & names_of_pair)
    for i, t in zip(named, text.iloc[named].tolist()):
        out[i] = _title_shape(_with_site_replaced(t, names[domain_codes[i]]))
    return out


@lru_cache(maxsize=1 << 16)
def _title_shape(text: str) -> str | None:
    """Digits, separators and spacing of a lower-cased title with site names replaced."""
    text = _DIGITS.sub("#", text)
    text = _SEPARATORS.sub(" | ", text)
    text = _SPACES.sub(" ", text).strip(" |")
    words = [w for w in _WORD.findall(text.replace("{site}", " ")) if w not in _GENERIC]
    if len(words) < 2:
        return None
    return text


def _segment_shape(segment: str, previous: str | None) -> tuple[str, bool]:
    """(shape, is_placeholder) of one path segment."""
    stem, dot, ext = segment.rpartition(".")
    if not dot or not ext.isalpha() or len(ext) > 5:
        stem, ext = segment, ""
    suffix = f".{ext}" if ext else ""
    if stem.isdigit():
        if len(stem) == 4 and 1990 <= int(stem) <= 2039:
            return "YYYY" + suffix, True
        if len(stem) <= 2 and previous == "YYYY" and 1 <= int(stem) <= 12:
            return "MM" + suffix, True
        if len(stem) <= 2 and previous == "MM" and 1 <= int(stem) <= 31:
            return "DD" + suffix, True
        return "N" + suffix, True
    if re.fullmatch(r"[a-z0-9]*\d[a-z0-9]*", stem) and len(stem) >= 8 and re.search(r"[a-z]", stem):
        return "ID" + suffix, True
    if re.search(r"[-_+]", stem) and re.search(r"[^\W\d_]", stem):
        return ("slug-N" if re.search(r"[-_]\d+$", stem) else "slug") + suffix, True
    if re.fullmatch(r"[^\W\d_]{1,20}", stem):
        return stem + suffix, False
    return "X" + suffix, True


def path_scheme(url: object) -> str | None:
    """The shape of a URL's path, or ``None`` when it is not a scheme.

    >>> path_scheme("https://a.example/2024/03/best-bikes-2/")
    '/YYYY/MM/slug-N/'
    >>> path_scheme("https://a.example/blog/cheap-loans.html")
    '/blog/slug.html'
    >>> path_scheme("https://a.example/about/team/") is None  # only words: a page, not a scheme
    True
    """
    if not isinstance(url, str) or not url:
        return None
    try:
        path = urlsplit(url if "://" in url else "http://" + url).path
    except ValueError:
        return None
    return _path_shape(path)


@lru_cache(maxsize=1 << 16)
def _path_shape(path: str) -> str | None:
    """The shape of a URL path (see :func:`path_scheme`); cached, paths repeat across sites."""
    segments = [s for s in path.lower().split("/") if s]
    if len(segments) < 2:
        return None
    shapes, placeholder, previous = [], False, None
    for segment in segments[:8]:
        shape, is_placeholder = _segment_shape(segment, previous)
        shapes.append(shape)
        placeholder |= is_placeholder
        previous = shape
    if not placeholder:
        return None
    return "/" + "/".join(shapes) + ("/" if path.endswith("/") else "")


#: The path of a URL (or of a bare host/path), as urlsplit would give it for http(s) URLs.
_PATH_OF_URL = r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://)?[^/?#]*(?P<path>[^?#]*)"


def _paths_of_urls(urls: pd.Series) -> pd.Series:
    """The path of every URL (NA for NA), with Arrow's regex engine over the whole column."""
    array = pa.array(urls.astype("string").array, type=pa.large_string())
    paths = pc.struct_field(pc.extract_regex(array, _PATH_OF_URL), [0])
    return pd.Series(pd.array(paths, dtype="string"), index=urls.index)


def first_seen_by_domain(backlinks: pd.DataFrame) -> pd.Series:
    """Domain -> first time any of its links was seen (UTC; domains with no date absent)."""
    if BL.FIRST_SEEN not in backlinks.columns or DOMAIN not in backlinks.columns:
        return pd.Series(dtype="datetime64[ns, UTC]")
    times = pd.to_datetime(backlinks[BL.FIRST_SEEN], utc=True, errors="coerce")
    frame = pd.DataFrame({DOMAIN: backlinks[DOMAIN].astype("string"), "t": times}).dropna()
    return frame.groupby(DOMAIN)["t"].min()


def burst_footprints(first_seen: pd.Series, *, window_days: int = 3, factor: float = 4.0,
                     min_domains: int = 5) -> pd.DataFrame:
    """``first_seen_burst`` footprints: domains whose first link falls in a burst.

    A day belongs to a burst when some ``window_days`` window containing it saw at least
    ``max(min_domains, factor x expected)`` new referring domains, ``expected`` being the
    profile's average for such a window (all domains over the whole span), and the day
    itself saw at least ``max(2, factor x`` the average day``)``. Burst days less than
    ``window_days`` apart form one burst; its domains share the key ``first..last`` day.

    >>> days = pd.to_datetime(["2024-01-01"] * 8 + [f"2024-0{m}-15" for m in range(2, 10)], utc=True)
    >>> fs = pd.Series(days, index=[f"d{i}.test" for i in range(16)])
    >>> burst_footprints(fs)["key"].unique().tolist()
    ['2024-01-01..2024-01-01']
    """
    columns = [DOMAIN, "kind", "key"]
    times = pd.to_datetime(pd.Series(first_seen), utc=True, errors="coerce").dropna()
    if len(times) < min_domains:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    day = (times.dt.floor("D") - pd.Timestamp("1970-01-01", tz="UTC")).dt.days.to_numpy()
    start = int(day.min())
    counts = np.bincount(day - start)
    span = len(counts)
    expected = len(times) * window_days / max(span, 1)
    threshold = max(min_domains, factor * expected)
    padded = np.concatenate([np.zeros(window_days - 1, dtype=np.int64), counts])
    csum = np.concatenate([[0], np.cumsum(padded)])
    window_sum = csum[window_days:] - csum[:-window_days]  # window ending on each day
    hot_end = np.flatnonzero(window_sum >= threshold)
    busy = counts >= max(2.0, factor * len(times) / max(span, 1))  # the day itself is busy too
    burst_day = np.zeros(span, dtype=bool)
    for end in hot_end:  # mark the busy days of each hot window
        lo = max(0, end - window_days + 1)
        burst_day[lo:end + 1] |= busy[lo:end + 1]
    if not burst_day.any():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    # group burst days separated by fewer than window_days quiet days into one burst
    days_on = np.flatnonzero(burst_day)
    breaks = np.flatnonzero(np.diff(days_on) > window_days) + 1
    episode = np.zeros(span, dtype=np.int64) - 1
    labels = np.split(days_on, breaks)
    names = []
    for i, run in enumerate(labels):
        episode[run[0]:run[-1] + 1] = i
        first = pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(run[0] + start))
        last = pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(run[-1] + start))
        names.append(f"{first:%Y-%m-%d}..{last:%Y-%m-%d}")
    which = episode[day - start]
    keep = (which >= 0) & burst_day[day - start]
    return pd.DataFrame({DOMAIN: pd.array(times.index[keep].astype(str), dtype="string"),
                         "kind": pd.array(["first_seen_burst"] * int(keep.sum()), dtype="string"),
                         "key": pd.array([names[i] for i in which[keep]], dtype="string")})


def export_footprints(backlinks: pd.DataFrame, *, burst_window_days: int = 3, burst_factor: float = 4.0,
                      burst_min_domains: int = 5, max_pages_per_domain: int = 50) -> pd.DataFrame:
    """``title_pattern``, ``path_scheme`` and ``first_seen_burst`` footprints of a Backlinks frame.

    ``backlinks`` is the canonical frame (:mod:`detector.schema`); several exports of one
    client may be concatenated first. Columns a tool does not export give no rows.
    At most ``max_pages_per_domain`` linking pages per domain are read (sitewide links
    repeat one template anyway).
    """
    columns = [DOMAIN, "kind", "key"]
    frames = []
    if len(backlinks) and DOMAIN in backlinks.columns:
        base = backlinks.loc[:, [c for c in (DOMAIN, BL.SOURCE_URL, BL.SOURCE_TITLE) if c in backlinks.columns]]
        base = base[base[DOMAIN].notna()]
        if BL.SOURCE_URL in base.columns:
            base = base.drop_duplicates([DOMAIN, BL.SOURCE_URL])
        base = base.groupby(DOMAIN, sort=False).head(max_pages_per_domain)
        doms = base[DOMAIN].astype("string").to_numpy(dtype=object)
        if BL.SOURCE_TITLE in base.columns:
            # each distinct (title, domain) once: sitewide links repeat one title
            pairs = base[[DOMAIN, BL.SOURCE_TITLE]].astype("string").drop_duplicates()
            titles = _title_patterns(pairs[BL.SOURCE_TITLE], pairs[DOMAIN])
            found = pd.notna(titles)  # most titles are too generic to be a footprint
            frames.append(pd.DataFrame({DOMAIN: pairs[DOMAIN].to_numpy()[found],
                                        "kind": "title_pattern", "key": titles[found]}))
        if BL.SOURCE_URL in base.columns:
            # vectorised path extraction, then one shape per distinct path
            paths = _paths_of_urls(base[BL.SOURCE_URL])
            codes, uniques = pd.factorize(paths)
            shapes = np.array([_path_shape(p) for p in uniques] + [None], dtype=object)[codes]
            found = pd.notna(shapes)  # one-segment and all-word paths are no scheme
            frames.append(pd.DataFrame({DOMAIN: doms[found], "kind": "path_scheme",
                                        "key": shapes[found]}))
        frames.append(burst_footprints(first_seen_by_domain(backlinks), window_days=burst_window_days,
                                       factor=burst_factor, min_domains=burst_min_domains))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    out = pd.concat(frames, ignore_index=True).dropna().drop_duplicates(ignore_index=True)
    return out.astype("string").sort_values(columns, ignore_index=True)
