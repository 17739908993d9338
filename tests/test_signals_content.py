"""Content features from hand-built ``pages`` lookups (no network)."""

from __future__ import annotations

import math
import random

import numpy as np

from detector.enrich.base import Lookup
from detector.enrich.html import parse_page
from detector.enrich.pages import backlink_summary
from detector.signals.content import (
    CONTENT_FEATURES,
    NEAR_DUPLICATE_JACCARD,
    compression_ratio,
    content_features,
    content_footprints,
)

TARGET = "target-shop.com"
rng = random.Random(7)
VOCAB = [f"w{i}" for i in range(3000)]


def article(n: int = 300) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def page(role: str, url: str, html: str) -> dict:
    record = parse_page(html, url, target_keys={TARGET})
    target_links = record.pop("target_links")
    return {"role": role, "url": url, "final_url": url, "status": 200, "ok": True, "error": None,
            "address": "192.0.2.1", "redirects": [], "record": record,
            "backlink": backlink_summary(target_links) if "linking" in role else None}


def lookup(domain: str, linking_html: str | None, home_html: str | None) -> Lookup:
    pages = []
    if linking_html is not None:
        pages.append(page("linking", f"https://{domain}/post", linking_html))
    if home_html is not None:
        pages.append(page("home", f"https://{domain}/", home_html))
    return Lookup(domain=domain, kind="pages", ok=True, data={"target_keys": [TARGET], "pages": pages})


def failed(domain: str) -> Lookup:
    return Lookup(domain=domain, kind="pages", ok=False, error="linking page: HTTP 404; home page: HTTP 404",
                  data={"pages": [{"role": "home", "url": f"http://{domain}/", "ok": False,
                                   "error": "HTTP 404", "record": None, "backlink": None}]})


SPUN = article(400)
SPUN_VARIANT = SPUN.replace("w1 ", "w2 ", 2)  # almost the same text
GA = "<script>gtag('config', 'UA-5551234-1')</script>"
GA_OTHER_PROPERTY = "<script>gtag('config', 'UA-5551234-7')</script>"


def world() -> dict[str, Lookup]:
    return {
        "pbn-one.com": lookup(
            "pbn-one.com",
            f"<html><head>{GA}<link href='/wp-content/themes/money-theme/x.css'></head><body><p>{SPUN}</p>"
            f"<a href='https://{TARGET}/'>best shoes</a> <a href='https://pbn-two.net/'>friend</a></body></html>",
            "<html><body><p>home</p><a href='/write-for-us'>Write for us</a></body></html>"),
        "pbn-two.net": lookup(
            "pbn-two.net",
            f"<html><head>{GA_OTHER_PROPERTY}</head><body><p>{SPUN_VARIANT}</p>"
            f"<a href='https://{TARGET}/x' rel='sponsored'>shoes</a></body></html>",
            None),
        "clean-news.org": lookup(
            "clean-news.org",
            f"<html><body><nav><a href='/about'>About</a><a href='/contact'>Contact</a>"
            f"<a href='/privacy'>Privacy</a></nav><p>{article(500)}</p>"
            f"<a href='https://{TARGET}/' rel='nofollow'>Target Shop</a></body></html>",
            f"<html><body><p>{article(200)}</p></body></html>"),
        "hacked-clinic.com": lookup(
            "hacked-clinic.com",
            "<html><body><p>Clinic opening hours and doctors.</p>"
            "<div style='position:absolute;left:-9999px'>slot gacor togel judi online slot gacor maxwin "
            f"<a href='https://{TARGET}/'>slot</a></div></body></html>",
            None),
        "lost-link.com": lookup(
            "lost-link.com", f"<html><body><p>{article(100)}</p></body></html>", None),
        "unreachable.com": failed("unreachable.com"),
    }


def features():
    lookups = world()
    frame = content_features(lookups, set(lookups) | {"not-fetched.com"})
    return frame.set_index("domain")


def test_columns_match_declared_features():
    frame = content_features(world(), set())
    assert list(frame.columns) == ["domain", *[f.name for f in CONTENT_FEATURES]]
    assert all(f.family == "content" for f in CONTENT_FEATURES)
    assert all(frame[f.name].dtype == np.float64 for f in CONTENT_FEATURES)


def test_failed_lookup_is_all_nan():
    row = features().loc["unreachable.com"]
    assert row.isna().all()


def test_near_duplicates_and_shared_analytics_ids():
    frame = features()
    assert frame.loc["pbn-one.com", "content_near_duplicates"] == 1
    assert frame.loc["pbn-two.net", "content_near_duplicates"] == 1
    assert frame.loc["clean-news.org", "content_near_duplicates"] == 0
    # UA-5551234-1 and UA-5551234-7 are two properties of one account
    assert frame.loc["pbn-one.com", "content_shared_analytics"] == 1
    assert frame.loc["clean-news.org", "content_shared_analytics"] == 0


def test_backlink_presence_rel_and_hidden():
    frame = features()
    one, two, clean, hacked, lost = (frame.loc[d] for d in
                                     ["pbn-one.com", "pbn-two.net", "clean-news.org", "hacked-clinic.com",
                                      "lost-link.com"])
    assert (one.content_backlink_present, one.content_backlink_nofollow, one.content_backlink_hidden) == (1, 0, 0)
    assert two.content_backlink_sponsored == 1 and two.content_backlink_nofollow == 0
    assert clean.content_backlink_nofollow == 1 and clean.content_backlink_sponsored == 0
    assert hacked.content_backlink_hidden == 1
    assert hacked.content_linking_hidden_links == 1 and hacked.content_linking_hidden_words >= 8
    assert clean.content_linking_hidden_words == 0
    assert lost.content_backlink_present == 0
    assert math.isnan(lost.content_backlink_nofollow) and math.isnan(lost.content_backlink_hidden)


def test_trust_pages_markers_vocabulary_and_links_to_referring():
    frame = features()
    assert frame.loc["clean-news.org", ["content_has_about", "content_has_contact",
                                        "content_has_privacy"]].tolist() == [1, 1, 1]
    assert frame.loc["pbn-one.com", "content_has_about"] == 0
    assert frame.loc["pbn-one.com", "content_write_for_us"] == 1
    assert frame.loc["clean-news.org", "content_write_for_us"] == 0
    assert frame.loc["pbn-one.com", "content_links_to_referring"] == 1  # links to pbn-two.net
    assert frame.loc["hacked-clinic.com", "content_spam_vocab_share"] > 0.2
    assert frame.loc["clean-news.org", "content_spam_vocab_share"] == 0


def test_sizes_ratios_and_missing_home_page():
    frame = features()
    clean = frame.loc["clean-news.org"]
    assert clean.content_linking_words >= 500 and clean.content_home_words == 200
    assert 0 < clean.content_linking_text_ratio < 1
    assert clean.content_linking_outbound == 1 and clean.content_linking_ext_int_ratio == 1 / 3
    assert math.isnan(frame.loc["pbn-two.net", "content_home_words"])
    assert frame.loc["pbn-two.net", "content_pages_read"] == 1


def test_compression_ratio_separates_repetition_from_prose():
    repetitive = compression_ratio("buy cheap shoes online today " * 60)
    prose = compression_ratio(article(300))
    assert repetitive < 0.1 < prose
    assert math.isnan(compression_ratio("tiny"))


def test_near_duplicate_threshold_is_respected():
    base = article(400).split()
    half = " ".join(base[:200] + article(200).split())  # about a third of shingles shared
    lookups = {
        "a-site.com": lookup("a-site.com", f"<p>{' '.join(base)}</p>", None),
        "b-site.com": lookup("b-site.com", f"<p>{half}</p>", None),
        "c-site.com": lookup("c-site.com", "<p>too short to compare</p>", None),
        "d-site.com": lookup("d-site.com", "<p>too short to compare</p>", None),
    }
    frame = content_features(lookups, set(lookups)).set_index("domain")
    assert NEAR_DUPLICATE_JACCARD == 0.8
    assert frame["content_near_duplicates"].tolist() == [0, 0, 0, 0]


def test_footprints_kinds_and_keys():
    prints = content_footprints(world())
    assert list(prints.columns) == ["domain", "kind", "key"]
    by_kind = {kind: group for kind, group in prints.groupby("kind")}
    analytics = by_kind["analytics_id"]
    assert set(analytics.loc[analytics.key == "UA-5551234", "domain"]) == {"pbn-one.com", "pbn-two.net"}
    assert by_kind["template"].key.tolist() == ["wordpress:money-theme"]
    texts = by_kind["near_duplicate_text"]
    assert set(texts.domain) == {"pbn-one.com", "pbn-two.net"} and texts.key.nunique() == 1


def test_empty_input():
    frame = content_features({}, set())
    assert len(frame) == 0 and "content_backlink_present" in frame
    assert content_footprints({}).empty


def test_records_cached_before_signatures_existed_still_compare():
    lookups = world()
    for lookup in lookups.values():
        for page in lookup.data["pages"]:
            if page.get("record"):
                page["record"].pop("text_minhash")
                page["record"].pop("text_compression")
    frame = content_features(lookups, set(lookups)).set_index("domain")
    assert frame.loc["pbn-one.com", "content_near_duplicates"] == 1
    assert frame.loc["clean-news.org", "content_linking_compression"] > 0.2
