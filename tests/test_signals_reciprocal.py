"""Reciprocal, link-exchange and three-way features from hand-built ``pages`` lookups."""

from __future__ import annotations

import math

import numpy as np

from detector.enrich.base import Lookup
from detector.enrich.html import parse_page
from detector.signals.reciprocal import RECIPROCAL_FEATURES, exchange_page_markers, reciprocal_features


def lookup(domain: str, path: str, html: str) -> Lookup:
    url = f"https://{domain}{path}"
    record = parse_page(html, url)
    record.pop("target_links")
    return Lookup(domain=domain, kind="pages", ok=True, data={"pages": [
        {"role": "linking", "url": url, "final_url": url, "ok": True, "error": None, "record": record,
         "backlink": None}]})


def many_links(n: int) -> str:
    return "".join(f"<a href='https://site{i}-x.com/'>site {i}</a> " for i in range(n))


LOOKUPS = {
    "swap-partner.com": lookup("swap-partner.com", "/link-exchange/",
                               "<html><title>Link exchange</title><body><p>Exchange links with us! "
                               "Add your link below.</p><a href='https://target-shop.com/'>shop</a></body></html>"),
    "partners-farm.net": lookup("partners-farm.net", "/partners/",
                                f"<html><title>Our friends</title><body>{many_links(40)}</body></html>"),
    "uni-library.edu": lookup("uni-library.edu", "/library/guides",
                              "<html><title>Library Resources</title><body><p>Databases for students.</p>"
                              f"{many_links(60)}</body></html>"),
    "blog-a.com": lookup("blog-a.com", "/2024/05/shoes", "<html><title>Shoes</title><body><p>A post "
                         "about shoes.</p><a href='https://target-shop.com/'>shop</a></body></html>"),
    "down.com": Lookup(domain="down.com", kind="pages", ok=False, error="timeout after 10s", data={"pages": []}),
}


def test_columns_and_missing_values_without_outbound_or_footprints():
    frame = reciprocal_features(LOOKUPS, None)
    assert list(frame.columns) == ["domain", *[f.name for f in RECIPROCAL_FEATURES]]
    assert all(frame[f.name].dtype == np.float64 for f in RECIPROCAL_FEATURES)
    assert frame["reciprocal_target_links_back"].isna().all()
    assert frame["reciprocal_three_way"].isna().all()
    down = frame.set_index("domain").loc["down.com"]
    assert down.isna().all()


def test_reciprocal_link_back_matches_registrable_domains():
    frame = reciprocal_features(LOOKUPS, {"https://www.swap-partner.com/", "unrelated.org"}).set_index("domain")
    assert frame.loc["swap-partner.com", "reciprocal_target_links_back"] == 1
    assert frame.loc["blog-a.com", "reciprocal_target_links_back"] == 0
    assert frame.loc["down.com", "reciprocal_target_links_back"] == 0  # the target's links are known


def test_exchange_pages_and_the_resource_page_hard_negative():
    frame = reciprocal_features(LOOKUPS, set()).set_index("domain")
    assert frame.loc["swap-partner.com", "reciprocal_exchange_page"] == 1
    assert frame.loc["swap-partner.com", "reciprocal_exchange_markers"] == 3  # url, title, text
    assert frame.loc["partners-farm.net", "reciprocal_exchange_page"] == 1  # partners URL + many links
    assert frame.loc["uni-library.edu", "reciprocal_exchange_page"] == 0  # resources alone: no
    assert frame.loc["uni-library.edu", "reciprocal_exchange_markers"] == 2  # title + many links
    assert frame.loc["blog-a.com", "reciprocal_exchange_page"] == 0
    assert frame.loc["blog-a.com", "reciprocal_exchange_markers"] == 0
    assert math.isnan(frame.loc["down.com", "reciprocal_exchange_page"])


def test_three_way_pattern():
    # blog-a links to the target; the target links to blog-b; blog-b shares a /24 with blog-a
    groups = {
        "blog-a.com": {"ip24:203.0.113.0", "ns:ns1.cheap-host.net"},
        "blog-b.com": {"ip24:203.0.113.0"},
        "swap-partner.com": {"ua:UA-1"},
        "partners-farm.net": set(),
        "clean.org": {"ns:ns1.cheap-host.net"},
    }
    outbound = {"blog-b.com", "clean.org", "swap-partner.com", "wikipedia.org"}
    frame = reciprocal_features(LOOKUPS, outbound, groups).set_index("domain")
    assert frame.loc["blog-a.com", "reciprocal_three_way"] == 2  # blog-b (ip) and clean.org (ns)
    assert frame.loc["swap-partner.com", "reciprocal_three_way"] == 0  # itself does not count
    assert frame.loc["partners-farm.net", "reciprocal_three_way"] == 0
    assert math.isnan(frame.loc["uni-library.edu", "reciprocal_three_way"])  # no footprint data


def test_exchange_page_markers_on_a_record():
    record = {"url": "https://x.com/blogroll", "title": "", "text": "", "external_links": 0,
              "external_domains": []}
    assert exchange_page_markers(record) == {"url"}
    assert exchange_page_markers({**record, "url": "https://x.com/post"}) == set()
