"""Parse one HTML page into a compact, JSON-able record of what a link auditor needs.

The record (see :func:`parse_page`) keeps the facts the content and reciprocal signals
read: the title and visible text (capped), sizes, every link with its absolute ``href``,
``rel``, anchor text and whether it is hidden from readers, analytics / ad / tag-manager
IDs, CMS and theme markers, links to about / contact / privacy pages, "write for us" and
"sponsored post" markers, and the declared language. It is pure: no network, no clock,
so it is tested on handcrafted pages.

Two text fingerprints are computed here, once, from the whole visible text, so the
cached record stays small and the signals need not re-read the text: its zlib
compression ratio and a MinHash signature of its word 5-grams (datasketch; used to find
near-duplicate pages across referring domains).

Hidden links are the ones a reader cannot see: the link or an ancestor has the ``hidden``
attribute, or an inline style (or a simple ``.class`` / ``#id`` rule in a ``<style>``
block) with ``display:none``, ``visibility:hidden``, ``font-size:0``, ``opacity:0``, a
zero-size box with ``overflow:hidden``, or off-screen positioning (a coordinate or
``text-indent`` of -500px or beyond). Hidden text is also left out of the visible text.

>>> rec = parse_page('<html lang="en"><title>T</title><p>Hello <a href="/x">there</a>'
...                  '<span style="display:none"><a href="https://b.example/">b</a></span>',
...                  "https://a.example/page")
>>> rec["title"], rec["word_count"], rec["language"]
('T', 2, 'en')
>>> [(link["href"], link["hidden"], link["external"]) for link in rec["links"]]
[('https://a.example/x', False, False), ('https://b.example/', True, True)]
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import numpy as np
from datasketch import MinHash
from selectolax.lexbor import LexborHTMLParser, LexborNode

from detector.enrich.textscan import AnchoredPattern, fold_like_ignorecase
from detector.keys import domain_key, host_of

__all__ = ["parse_page", "style_hides", "compression_ratio", "text_minhash", "new_minhash",
           "shingle_hashes", "MAX_TEXT_CHARS", "MAX_LINKS", "NUM_PERM"]

#: Visible text kept in a record (characters); the word count covers the whole text.
MAX_TEXT_CHARS = 20_000
#: Hidden text kept in a record (characters); ``hidden_words`` covers all of it.
MAX_HIDDEN_TEXT_CHARS = 2_000
#: Links kept in a record; the counts cover every link.
MAX_LINKS = 500
_MAX_ANCHOR_CHARS = 200
_OFFSCREEN_PX = 500.0

_NON_VISIBLE_TAGS = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]

# --- analytics / ad / tag-manager IDs --------------------------------------------------
_ID_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ua", re.compile(r"\bUA-\d{4,10}-\d{1,4}\b")),
    ("ga4", re.compile(r"\bG-(?=[A-Z0-9]*\d)[A-Z0-9]{8,12}\b")),
    ("gtm", re.compile(r"\bGTM-[A-Z0-9]{4,9}\b")),
    ("aw", re.compile(r"\bAW-\d{8,12}\b")),
    ("adsense", re.compile(r"\bca-pub-\d{10,20}\b")),
    ("fb_pixel", re.compile(r"""fbq\(\s*['"]init['"]\s*,\s*['"]?(\d{10,20})""")),
    ("yandex", re.compile(r"""\bym\(\s*(\d{5,12})\s*,\s*['"]init['"]""")),
    ("hotjar", re.compile(r"\bhjid\s*:\s*(\d{5,10})")),
)

# --- CMS / theme markers ---------------------------------------------------------------
_THEME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wordpress", re.compile(r"/wp-content/themes/([A-Za-z0-9_.\-]+)/")),
    ("joomla", re.compile(r"/templates/([A-Za-z0-9_.\-]+)/(?:css|js|images)/")),
    ("drupal", re.compile(r"/(?:sites/all|sites/[a-z0-9.\-]+)/themes/(?:contrib/|custom/)?([A-Za-z0-9_.\-]+)/")),
    ("blogger", re.compile(r"blogger\.com/static/v1/widgets/|\.blogspot\.com/")),
    ("shopify", re.compile(r"cdn\.shopify\.com/s/files/[^\"']*/t/\d+/assets/|cdn\.shopify\.com")),
    ("wix", re.compile(r"static\.wixstatic\.com|static\.parastorage\.com")),
    ("squarespace", re.compile(r"static1\.squarespace\.com|squarespace-cdn\.com")),
    ("ghost", re.compile(r"/assets/built/|content=\"Ghost \d")),
)
_WP_PLUGIN = re.compile(r"/wp-content/plugins/([A-Za-z0-9_.\-]+)/")

# --- pages and markers -----------------------------------------------------------------
_TRUST_PAGES: dict[str, re.Pattern[str]] = {
    "about": re.compile(r"\babout(?:[\s_-]?us)?\b|\bwho[\s_-]we[\s_-]are\b|\bour[\s_-]story\b|"
                        r"\bueber[\s_-]uns\b|\bÜber uns\b|\bqui[\s_-]sommes", re.I),
    "contact": re.compile(r"\bcontact(?:[\s_-]?us)?\b|\bkontakt\b|\bimpressum\b|\bcontacto\b", re.I),
    "privacy": re.compile(r"\bprivacy\b|\bdatenschutz\b|\bgdpr\b|\bcookie[\s_-]policy\b|"
                          r"\bpolitica[\s_-]de[\s_-]privacidad\b|\bconfidentialit", re.I),
}
#: Link-selling markers (case-insensitive), each with the words its matches start with:
#: the pattern is tried only where they occur (see :mod:`detector.enrich.textscan`).
_MARKERS: dict[str, AnchoredPattern] = {
    "write_for_us": AnchoredPattern(r"\bwrite[\s_-]+for[\s_-]+us\b|\bsubmit[\s_-]+(?:a[\s_-]+)?guest[\s_-]+post|"
                                    r"\bbecome[\s_-]+a[\s_-]+(?:contributor|guest[\s_-]+author)\b|"
                                    r"\baccepting[\s_-]+guest[\s_-]+posts?\b",
                                    starts=("write", "submit", "become", "accepting")),
    "guest_post": AnchoredPattern(r"\bguest[\s_-]+(?:post|posting|article|author|blogging)s?\b",
                                  starts=("guest",)),
    "sponsored_post": AnchoredPattern(r"\bsponsored[\s_-]+(?:post|article|content|by)\b|"
                                      r"\bthis[\s_-]+(?:post|article)[\s_-]+is[\s_-]+sponsored\b|"
                                      r"\bpaid[\s_-]+(?:post|placement|article)\b|\bpartner[\s_-]+content\b|"
                                      r"\badvertorial\b",
                                      starts=("sponsored", "this", "paid", "partner", "advertorial")),
    "advertise": AnchoredPattern(r"\badvertise[\s_-]+(?:with|on)[\s_-]+us\b|"
                                 r"\bbuy[\s_-]+(?:a[\s_-]+)?(?:backlinks?|links?)\b|"
                                 r"\blink[\s_-]+insertion\b",
                                 starts=("advertise", "buy", "link")),
}


def _markers(text: str) -> list[str]:
    """Names of the :data:`_MARKERS` found in ``text``, sorted."""
    folded = fold_like_ignorecase(text)
    return sorted(name for name, pattern in _MARKERS.items() if pattern.search(text, folded))


# --- styles ----------------------------------------------------------------------------
_DECL = re.compile(r"([a-z\-]+)\s*:\s*([^;]+)")
_NUMBER = re.compile(r"(-?\d*\.?\d+)\s*(px|em|rem|pt|%|vw|vh)?")
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^[a-z0-9]*([.#])([A-Za-z0-9_\-]+)$")
_WORD = re.compile(r"\w+", re.UNICODE)


def _length(value: str) -> float | None:
    """A CSS length in (roughly) pixels, ``None`` when not a number."""
    match = _NUMBER.match(value.strip())
    if not match:
        return None
    number = float(match.group(1))
    unit = match.group(2) or "px"
    return number * {"em": 16.0, "rem": 16.0, "pt": 1.33}.get(unit, 1.0)


def style_hides(style: str) -> bool:
    """True when a CSS declaration block hides its element from readers.

    >>> style_hides("color: red; display : none !important")
    True
    >>> style_hides("position:absolute; left:-9999px")
    True
    >>> style_hides("font-size: 0px")
    True
    >>> style_hides("font-size: 12px; position: relative; left: -5px")
    False
    """
    decls = {name: value.replace("!important", "").strip().lower()
             for name, value in _DECL.findall(style.lower())}
    if not decls:
        return False
    if decls.get("display") == "none" or decls.get("visibility") in ("hidden", "collapse"):
        return True
    if "font-size" in decls and _length(decls["font-size"]) == 0:
        return True
    if "opacity" in decls and _length(decls["opacity"]) == 0:
        return True
    if decls.get("overflow") == "hidden" and any(
        name in decls and _length(decls[name]) == 0 for name in ("height", "width", "max-height")
    ):
        return True
    if "text-indent" in decls:
        indent = _length(decls["text-indent"])
        if indent is not None and indent <= -_OFFSCREEN_PX:
            return True
    if decls.get("position") in ("absolute", "fixed"):
        for name in ("left", "top", "right", "bottom"):
            offset = _length(decls.get(name, ""))
            if offset is not None and offset <= -_OFFSCREEN_PX:
                return True
    if "clip" in decls and re.sub(r"\s", "", decls["clip"]) in ("rect(0,0,0,0)", "rect(0000)", "rect(0px,0px,0px,0px)"):
        return True
    return False


def _hiding_rules(tree: LexborHTMLParser) -> tuple[set[str], set[str]]:
    """Classes and ids that simple rules in ``<style>`` blocks hide."""
    classes: set[str] = set()
    ids: set[str] = set()
    for block in tree.css("style"):
        css = re.sub(r"/\*.*?\*/", "", block.text(deep=True) or "", flags=re.S)
        for selectors, body in _CSS_RULE.findall(css):
            if not style_hides(body):
                continue
            for selector in selectors.split(","):
                match = _SIMPLE_SELECTOR.match(selector.strip())
                if match:
                    (classes if match.group(1) == "." else ids).add(match.group(2))
    return classes, ids


def _hidden_containers(tree: LexborHTMLParser) -> list[LexborNode]:
    """Elements hidden by attribute, inline style or a simple stylesheet rule."""
    classes, ids = _hiding_rules(tree)
    selector = "[hidden], [style]"
    if classes:
        selector += ", " + ", ".join("." + _css_escape(c) for c in sorted(classes))
    if ids:
        selector += ", " + ", ".join("#" + _css_escape(i) for i in sorted(ids))
    hidden = []
    for node in tree.css(selector):
        attrs = node.attributes
        if "hidden" in attrs or attrs.get("type", "").lower() == "hidden":
            hidden.append(node)
        elif attrs.get("style") and style_hides(attrs["style"] or ""):
            hidden.append(node)
        elif classes and set((attrs.get("class") or "").split()) & classes:
            hidden.append(node)
        elif ids and (attrs.get("id") or "") in ids:
            hidden.append(node)
    return hidden


def _outermost(nodes: list[LexborNode], ids: set[int]) -> list[LexborNode]:
    """The nodes of ``nodes`` that have no ancestor among them."""
    outermost = []
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            outermost.append(node)
    return outermost


def _css_escape(name: str) -> str:
    return re.sub(r"([^A-Za-z0-9_\-])", r"\\\1", name)


def _rel_tokens(value: str | None) -> list[str]:
    return sorted({token for token in (value or "").lower().split() if token})


#: a root-relative link that urljoin returns unchanged after the base's origin: one "/",
#: then no parameters, fragment or characters urlsplit drops (dot segments and an empty
#: query are checked apart)
_PLAIN_ROOT_RELATIVE = re.compile(r"/(?!/)[^;#\t\r\n]*\Z")


@lru_cache(maxsize=4096)
def _http_origin(base: str) -> str | None:
    """``scheme://netloc`` of an http(s) base URL as urljoin reads it; None for other bases."""
    parts = urlsplit(base)  # raises for a malformed base, exactly as urljoin would
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def _absolute(base: str, raw: str) -> str | None:
    """``raw`` made absolute against ``base``; None unless it is an http(s) URL.

    Same result as ``urljoin``; absolute links and plain root-relative ones (``/about/``)
    skip its cost.
    """
    lowered = raw[:8].lower()
    if lowered.startswith(("http://", "https://")):
        return raw  # the common case, without urljoin's cost
    if raw[:1] == "/" and _PLAIN_ROOT_RELATIVE.match(raw) and "/." not in raw and raw[-1] != "?":
        origin = _http_origin(base)
        if origin is not None:
            return origin + raw
    href = urljoin(base, raw)
    return href if href[:8].lower().startswith(("http://", "https://")) else None


_host_key = lru_cache(maxsize=1 << 16)(domain_key)


_ODD_NETLOC = re.compile(r"[@\[:?#\\%]")  # credentials, IPv6, port, query ...: host_of decides


def _fast_host(url: str) -> str:
    """:func:`detector.keys.host_of` for an absolute http(s) URL, skipping work in the common case."""
    netloc = url.split("/", 3)[2] if url.count("/") >= 2 else ""
    if netloc and netloc.isascii() and _ODD_NETLOC.search(netloc) is None and netloc[-1] != ".":
        return netloc.lower()
    return host_of(url)


def _path_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    cut = rest.find("/")
    return rest[cut:].split("?", 1)[0].split("#", 1)[0] if cut != -1 else "/"


#: the literal every match of each ID pattern starts with
_ID_HINTS = {"ua": "UA-", "ga4": "G-", "gtm": "GTM-", "aw": "AW-", "adsense": "ca-pub-",
             "fb_pixel": "fbq(", "yandex": "ym(", "hotjar": "hjid"}


def _matches_at_literal(pattern: re.Pattern[str], literal: str, text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts with ``literal``.

    Tries the pattern only where the literal occurs (found by ``str.find``), instead of
    at every character; same matches, same order, never overlapping.
    """
    position = text.find(literal)
    resume = 0
    while position != -1:
        if position >= resume:
            match = pattern.match(text, position)  # \b still sees the character before
            if match is not None:
                yield match
                resume = match.end()
        position = text.find(literal, position + 1)


def _analytics_ids(html: str) -> list[str]:
    found: set[str] = set()
    for kind, pattern in _ID_PATTERNS:
        for match in _matches_at_literal(pattern, _ID_HINTS[kind], html):
            value = match.group(1) if pattern.groups else match.group(0)
            found.add(value if kind not in ("fb_pixel", "yandex", "hotjar") else f"{kind}:{value}")
    return sorted(found)


def _cms_markers(tree: LexborHTMLParser, html: str) -> dict[str, Any]:
    generator = None
    node = tree.css_first('meta[name="generator" i]')
    if node is not None:
        generator = (node.attributes.get("content") or "").strip()[:100] or None
    cms = None
    theme = None
    for name, pattern in _THEME_PATTERNS:
        match = pattern.search(html)
        if match:
            cms = name
            theme = match.group(1).lower() if pattern.groups and match.group(1) else None
            break
    if cms is None and generator:
        cms = generator.split()[0].lower()
    plugins = sorted({p.lower() for p in _WP_PLUGIN.findall(html)})[:50]
    return {"generator": generator, "cms": cms, "theme": theme, "plugins": plugins}


def _language(tree: LexborHTMLParser) -> str | None:
    html_node = tree.css_first("html")
    if html_node is not None:
        lang = (html_node.attributes.get("lang") or html_node.attributes.get("xml:lang") or "").strip()
        if lang:
            return lang.lower()[:20]
    meta = tree.css_first('meta[http-equiv="content-language" i]')
    if meta is not None and (meta.attributes.get("content") or "").strip():
        return (meta.attributes.get("content") or "").strip().lower()[:20]
    return None


def _meta_content(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    return (node.attributes.get("content") or node.attributes.get("href") or "").strip()[:500] or None


def _base_url(tree: LexborHTMLParser, page_url: str) -> str:
    base = tree.css_first("base[href]")
    if base is not None and (base.attributes.get("href") or "").strip():
        return urljoin(page_url, (base.attributes.get("href") or "").strip())
    return page_url


# --- text fingerprints (computed once at fetch time, cached with the record) -------------
#: MinHash permutations (64 gives a standard error of about 0.06 on a Jaccard estimate).
NUM_PERM = 64
#: Words per shingle of the near-duplicate MinHash.
SHINGLE_WORDS = 5
#: Texts with fewer words get no MinHash (a two-line page is "similar" to every other).
MIN_WORDS_FOR_MINHASH = 50
#: Texts shorter than this (bytes) get no compression ratio: zlib's header dominates.
MIN_BYTES_FOR_COMPRESSION = 200
_SHINGLE_WEIGHTS = np.array([0x9E3779B97F4A7C15 ** k % (1 << 64) for k in range(SHINGLE_WORDS)],
                            dtype=np.uint64)
_MINHASH_TEMPLATE: list[MinHash] = []


def compression_ratio(text: str) -> float | None:
    """zlib-compressed size over raw size of ``text``; None when too short to say.

    Low values mean repetitive or templated text.

    >>> compression_ratio("buy cheap links " * 100) < 0.1
    True
    >>> compression_ratio("short") is None
    True
    """
    raw = (text or "").encode("utf-8")
    if len(raw) < MIN_BYTES_FOR_COMPRESSION:
        return None
    return len(zlib.compress(raw, 6)) / len(raw)


class _WordHashes(dict):
    """word -> CRC-32 of its UTF-8 bytes with bit 32 set, remembered: pages share most words."""

    LIMIT = 200_000  # forgotten all at once past this many words

    def __missing__(self, word: str) -> int:
        value = zlib.crc32(word.encode("utf-8")) | (1 << 32)
        if len(self) >= self.LIMIT:
            self.clear()
        self[word] = value
        return value


_WORD_HASHES = _WordHashes()


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 32-bit hashes of the word :data:`SHINGLE_WORDS`-grams of ``text``.

    Deterministic across runs (CRC-32 of each word, position-weighted sums modulo 2**64,
    folded to 32 bits); empty when the text has fewer than :data:`MIN_WORDS_FOR_MINHASH`
    words.
    """
    return _shingles(_WORD.findall(text.lower()))


def _shingles(words: list[str]) -> np.ndarray:
    """:func:`shingle_hashes` of a text whose lower-cased words are ``words``."""
    if len(words) < MIN_WORDS_FOR_MINHASH:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE_WORDS + 1
    combined = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE_WORDS):  # wraps modulo 2**64 by design
        combined += word_hashes[k:k + n] * _SHINGLE_WEIGHTS[k]
    return np.unique((combined >> np.uint64(32)) ^ (combined & np.uint64(0xFFFFFFFF)))


def new_minhash(hashvalues: Any = None) -> MinHash:
    """A datasketch MinHash with the detector's fixed permutations (seed 1, affine32).

    ``hashvalues`` rebuilds one from a stored signature (see :func:`text_minhash`).
    """
    if not _MINHASH_TEMPLATE:
        _MINHASH_TEMPLATE.append(MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32"))
    template = _MINHASH_TEMPLATE[0]
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, permutations=template.permutations,
                   scheme=template.scheme, hashvalues=hashvalues)


#: MurmurHash3's 32-bit finalizer constants, which datasketch's affine32 scheme applies to
#: each input hash before its permutations
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def text_minhash(text: str) -> list[int] | None:
    """MinHash signature (:data:`NUM_PERM` ints) of the text's word shingles; None when short."""
    return _signature(shingle_hashes(text))


def _signature(shingles: np.ndarray) -> list[int] | None:
    """The signature :func:`new_minhash` would hold after ``update_batch(shingles)``.

    Computed in one numpy expression rather than through ``update_batch``, which maps a
    Python function over every shingle first: the same arithmetic (fmix32, then
    ``a * h + b`` modulo 2**32 per permutation, minimum over the shingles); the tests
    compare both on many texts.
    """
    if not shingles.size:
        return None
    if not _MINHASH_TEMPLATE:
        new_minhash()  # builds the template
    a, b = _MINHASH_TEMPLATE[0].permutations  # uint32, as the scheme stores them
    s1, m1, s2, m2, s3 = _FMIX32
    h = shingles.astype(np.uint32)  # shingle hashes are 32-bit already
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    h = h ^ (h >> s3)
    return (h[:, None] * a + b).min(axis=0).tolist()


def parse_page(html: str, url: str, *, max_text_chars: int = MAX_TEXT_CHARS,
               max_links: int = MAX_LINKS, target_keys: Iterable[str] = (),
               with_fingerprints: bool = True) -> dict[str, Any]:
    """Parse ``html`` (served at ``url``) into a compact JSON-able record.

    Keys: ``url``, ``title``, ``language``, ``meta_robots``, ``canonical``,
    ``html_bytes`` (UTF-8 size of the document), ``text`` (visible text, at most
    ``max_text_chars``), ``text_chars`` and ``word_count`` (of the whole visible text),
    ``text_html_ratio`` (visible-text characters / HTML characters), ``text_compression``
    (:func:`compression_ratio` of the whole visible text), ``text_minhash`` (its
    :func:`text_minhash` signature; None with ``with_fingerprints=False``), ``hidden_text``
    (text of hidden elements, at most 2,000 characters) and ``hidden_words``, ``links`` (at most
    ``max_links`` of ``{"href", "rel", "text", "hidden", "external"}``), ``link_count``,
    ``internal_links``, ``external_links``, ``hidden_links``, ``external_domains``
    (distinct registrable domains linked, at most 200), ``analytics_ids``, ``cms``
    (``generator``, ``cms``, ``theme``, ``plugins``), ``trust_pages`` (about / contact /
    privacy: linked or not) and ``markers`` (which of write_for_us, guest_post,
    sponsored_post, advertise appear in the visible text or link texts), and
    ``target_links``: every link (at most 50, whatever ``max_links`` says) whose
    registrable domain is one of ``target_keys`` (the audited site's keys).
    """
    targets = {key for key in target_keys if key}
    target_links: list[dict[str, Any]] = []
    tree = LexborHTMLParser(html)
    page_host = host_of(url)
    page_key = domain_key(url)
    base = _base_url(tree, url)

    hidden_nodes = _hidden_containers(tree)
    hidden_links: set[int] = set()
    for node in hidden_nodes:
        if node.tag == "a":
            hidden_links.add(node.mem_id)
        for inner in node.css("a[href]"):
            hidden_links.add(inner.mem_id)

    links: list[dict[str, Any]] = []
    internal = external = hidden_count = total = 0
    external_domains: set[str] = set()
    trust_pages = {name: False for name in _TRUST_PAGES}
    link_texts: list[str] = []
    for node in tree.css("a[href]"):
        raw = (node.attributes.get("href") or "").strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        href = _absolute(base, raw)
        if href is None:
            continue
        text = " ".join((node.text(deep=True, separator=" ") or "").split())
        if not text:
            image = node.css_first("img[alt]")
            if image is not None:
                text = " ".join((image.attributes.get("alt") or "").split())
        text = text[:_MAX_ANCHOR_CHARS]
        host = _fast_host(href)
        key = _host_key(host)
        is_external = bool(key) and key != page_key and host != page_host
        is_hidden = node.mem_id in hidden_links
        total += 1
        hidden_count += is_hidden
        if is_external:
            external += 1
            if len(external_domains) < 200:
                external_domains.add(key)
        else:
            internal += 1
            if not all(trust_pages.values()):
                probe = _path_of(href) + " " + text
                for name, pattern in _TRUST_PAGES.items():
                    if not trust_pages[name] and pattern.search(probe):
                        trust_pages[name] = True
        if text:
            link_texts.append(text)
        keep = len(links) < max_links
        to_target = bool(targets) and key in targets and len(target_links) < 50
        if keep or to_target:  # the entry costs a rel split: build it only when kept
            entry = {"href": href, "rel": _rel_tokens(node.attributes.get("rel")),
                     "text": text, "hidden": is_hidden, "external": is_external}
            if keep:
                links.append(entry)
            if to_target:
                target_links.append(entry)

    title_node = tree.css_first("title")
    title = " ".join((title_node.text(deep=True) or "").split())[:300] if title_node else None
    language = _language(tree)
    meta_robots = _meta_content(tree, 'meta[name="robots" i]')
    canonical = _meta_content(tree, 'link[rel="canonical" i]')
    cms = _cms_markers(tree, html)
    analytics = _analytics_ids(html)

    # hidden text is not visible text; it is kept apart (injected spam hides there)
    hidden_ids = {node.mem_id for node in hidden_nodes}
    hidden_parts: list[str] = []
    for node in _outermost(hidden_nodes, hidden_ids):
        if node.tag not in ("script", "style", "template", "input"):
            hidden_parts.append(node.text(deep=True, separator=" ") or "")
        node.decompose()  # outermost only: a nested node dies with its ancestor
    hidden_text = " ".join(" ".join(hidden_parts).split())
    tree.strip_tags(_NON_VISIBLE_TAGS)
    root = tree.body or tree.root
    visible = " ".join((root.text(deep=True, separator=" ") or "").split()) if root is not None else ""
    lowered_words = _WORD.findall(visible.lower())
    # lower-casing keeps every character's place and word-ness, but for U+0130 (İ -> i + dot)
    words = len(lowered_words) if "\u0130" not in visible else len(_WORD.findall(visible))

    probe_text = visible + "\n" + "\n".join(link_texts) + "\n" + (title or "")
    markers = _markers(probe_text)
    html_chars = len(html)
    return {
        "url": url,
        "title": title or None,
        "language": language,
        "meta_robots": meta_robots,
        "canonical": canonical,
        "html_bytes": len(html.encode("utf-8", "replace")),
        "text": visible[:max_text_chars],
        "text_chars": len(visible),
        "word_count": words,
        "text_compression": compression_ratio(visible),
        "text_minhash": _signature(_shingles(lowered_words)) if with_fingerprints else None,
        "hidden_text": hidden_text[:MAX_HIDDEN_TEXT_CHARS],
        "hidden_words": len(_WORD.findall(hidden_text)),
        "text_html_ratio": (len(visible) / html_chars) if html_chars else None,
        "links": links,
        "link_count": total,
        "internal_links": internal,
        "external_links": external,
        "hidden_links": hidden_count,
        "external_domains": sorted(external_domains),
        "analytics_ids": analytics,
        "cms": cms,
        "trust_pages": trust_pages,
        "markers": markers,
        "target_links": target_links,
    }
