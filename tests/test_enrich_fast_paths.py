"""Every shortcut taken for speed gives exactly what the plain way gives.

Each test runs the fast path and the straightforward reference on the same (often
randomly generated, seeded) inputs and asserts identical results.
"""

from __future__ import annotations

import gc
import random
import re
import sys
import threading
import zlib
from urllib.parse import urljoin

import numpy as np
import pytest

from detector.enrich import html
from detector.enrich.base import Lookup
from detector.enrich.gc_pause import paused_gc
from detector.enrich.textscan import IGNORECASE_ASCII_LOOKALIKES, AnchoredPattern, fold_like_ignorecase
from detector.signals import reciprocal


# --- garbage-collector pause ------------------------------------------------------------------

def test_paused_gc_nests_across_threads_and_restores_the_state():
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with paused_gc():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with paused_gc():
        thread.start()
        inside.wait(5)
        with paused_gc():
            assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread still pauses it
    release.set()
    thread.join(5)
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a collector disabled by the caller stays disabled
    finally:
        gc.enable()


# --- case-insensitive scans anchored at their start words --------------------------------------

def test_the_ascii_lookalikes_are_all_that_ignorecase_matches_to_ascii_letters():
    everything = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert set(re.findall("[a-z]", everything, re.I)) == set(IGNORECASE_ASCII_LOOKALIKES)
    for char, letter in IGNORECASE_ASCII_LOOKALIKES.items():
        assert re.fullmatch(letter, char, re.I)
    # folding keeps positions: U+0130 is the only letter whose lower case is longer
    assert [c for c in everything if len(c.lower()) != 1] == ["\u0130"]


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def _phrase(alternative: str) -> str:
    """A text one regex alternative matches: separators as spaces, first option of groups."""
    text = alternative.replace("\\b", "")
    text = re.sub(r"\[\\s[^\]]*\][+*]|\\s[+*]", " ", text)
    while "(?:" in text:
        text = re.sub(r"\(\?:([^()|]*)(\|[^()]*)?\)\??", r"\1", text)
    return text.replace("?", "")


def _texts(words: list[str], phrases: list[str], count: int, seed: int) -> list[str]:
    """Random texts made of the patterns' own words and phrases, glued by what the patterns
    allow and what they do not, in random case, with lookalike letters and non-ASCII
    neighbours."""
    rng = random.Random(seed)
    glue = [" ", "  ", "-", "_", "\n", "", ".", "é", "x", "s ", "\u0130"]
    noise = ["the", "our", "us", "a", "to", "of", "de", "buy", "with", "on", "this", "is", "by", "Über"]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 9)):
            word = rng.choice(phrases) if rng.random() < 0.3 else rng.choice(words + noise)
            word = "".join(c.upper() if rng.random() < 0.3 else c for c in word)
            if rng.random() < 0.1:
                word = word.replace("i", "\u0131").replace("s", "\u017f").replace("k", "\u212a")
            parts.append(word + rng.choice(glue))
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("name,pattern", [*html._MARKERS.items(), ("reciprocal", reciprocal._TEXT_PATTERN)])
def test_anchored_patterns_find_what_the_plain_regex_finds(name, pattern):
    phrases = [_phrase(alternative) for alternative in _top_level_alternatives(pattern.pattern)]
    words = sorted({w for phrase in phrases for w in phrase.split()} | set(pattern.starts))
    matched = 0
    for text in _texts(words, phrases, 4000, seed=len(name)):
        expected = pattern.regex.search(text)
        got = pattern.search(text)
        assert (got and got.span()) == (expected and expected.span()), (name, text)
        matched += expected is not None
    assert matched > 200, name  # the generator does produce matches


def test_fold_keeps_every_letter_the_regex_sees():
    assert fold_like_ignorecase("WRİTE ſponſored \u212aEY") == "write sponsored key"
    pattern = AnchoredPattern(r"\bsponsored\b", starts=["sponsored"])
    assert pattern.search("a ſPONſORED b").span() == (2, 11)


# --- analytics IDs, links and text fingerprints -----------------------------------------------

def test_ids_found_at_their_literal_equal_finditer():
    rng = random.Random(7)
    pieces = ["UA-", "G-", "GTM-", "AW-", "ca-pub-", "fbq(", "ym(", "hjid", "1234567", "ABCD123",
              "12", "-3", " ", "'init'", ",", ":", "x", "_", "'", "0000000000123"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        for kind, pattern in html._ID_PATTERNS:
            fast = [m.span() for m in html._matches_at_literal(pattern, html._ID_HINTS[kind], text)]
            assert fast == [m.span() for m in pattern.finditer(text)], (kind, text)


def _absolute_reference(base: str, raw: str) -> str | None:
    if raw[:8].lower().startswith(("http://", "https://")):
        return raw
    href = urljoin(base, raw)
    return href if href[:8].lower().startswith(("http://", "https://")) else None


def _outcome(fn, *args):
    try:
        return fn(*args)
    except ValueError as exc:
        return ("ValueError", str(exc))


def test_link_resolution_equals_urljoin():
    rng = random.Random(3)
    pieces = ["/", "/", "/", ".", "..", "a", "B", "?", "#", ";", "\t", " ", ":", "%2e", "\\", "é", "//",
              "\n", "q=1", "&"]
    bases = ["http://a.example/p/q", "HTTPS://B.example:8080/x/", "http://u:p@c.example/?q#f",
             "http://[::1]/a", "https://d.example", "ftp://e.example/x", "http:///nohost",
             "http://f.example/a;p?q", "javascript:void(0)", "http://g.exa\tmple/x", "http://[::1/broken"]
    for _ in range(60_000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        raw = ("/" + raw if rng.random() < 0.7 else raw).strip()
        if raw:
            base = rng.choice(bases)
            assert _outcome(html._absolute, base, raw) == _outcome(_absolute_reference, base, raw), (base, raw)


def test_text_minhash_equals_a_fresh_minhash_whatever_came_before():
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(300)] + ["Straße", "çà", "x_y"]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(40, 400))) for _ in range(40)]
    for text in texts + texts[::-1]:
        words = html._WORD.findall(text.lower())
        if len(words) < html.MIN_WORDS_FOR_MINHASH:
            assert html.text_minhash(text) is None
            continue
        hashes = np.array([zlib.crc32(w.encode("utf-8")) | (1 << 32) for w in words], dtype=np.uint64)
        n = len(words) - html.SHINGLE_WORDS + 1
        combined = sum(hashes[k:k + n] * html._SHINGLE_WEIGHTS[k] for k in range(html.SHINGLE_WORDS))
        shingles = np.unique((combined >> np.uint64(32)) ^ (combined & np.uint64(0xFFFFFFFF)))
        assert np.array_equal(html.shingle_hashes(text), shingles)
        fresh = html.new_minhash()
        fresh.update_batch(shingles.tolist())
        assert html.text_minhash(text) == [int(v) for v in fresh.hashvalues]


def test_page_word_count_and_fingerprint_from_the_lower_cased_words():
    for body in ("İstanbul İÇİN güzel " * 30, "Plain words only " * 30, "Straße ΣΊΣΥΦΟΣ x_y 42 " * 30):
        record = html.parse_page(f"<html><body><p>{body}</p></body></html>", "http://a.example/")
        visible = " ".join(body.split())
        assert record["word_count"] == len(html._WORD.findall(visible))
        assert record["text_minhash"] == html.text_minhash(visible)


# --- reciprocal three-way count ---------------------------------------------------------------

def test_three_way_count_equals_the_pairwise_count():
    rng = random.Random(11)
    domains = [f"d{i}.example" for i in range(120)]
    keys = [f"k{i}" for i in range(25)]
    groups = {d: set(rng.sample(keys, rng.randint(0, 3))) for d in domains if rng.random() < 0.8}
    outbound = set(rng.sample(domains, 40)) | {"elsewhere.example"}
    lookups = {d: Lookup(d, "pages", True, {"pages": []}) for d in domains}
    frame = reciprocal.reciprocal_features(lookups, outbound, groups).set_index("domain")
    for domain in domains:
        expected = (float(sum(1 for other in outbound if other != domain
                              and groups[domain] & groups.get(other, set())))
                    if domain in groups else np.nan)
        got = frame.at[domain, "reciprocal_three_way"]
        assert got == expected or (np.isnan(got) and np.isnan(expected)), domain
