"""Page lookups cached by earlier versions (bulky records with 50 links each, or records from
before text fingerprints existed) are read back and give the same features as new ones."""

from __future__ import annotations

import random

import pandas as pd

from detector.enrich.base import Lookup, NetworkConfig
from detector.enrich.cache import LookupCache
from detector.enrich.http import FetchResult
from detector.enrich.pages import PageSource
from detector.enrich.run import enrich

TARGET = "target-site.com"
WORDS = ("casino travel guide write for us sponsored post partners link exchange recipe garden "
         "bonus review cheap hotel our story contact privacy").split()


def _html(rng: random.Random, domain: str, shared: str) -> str:
    own = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
    text = own if rng.random() < 0.5 else ""  # the other half are near-duplicates
    links = "".join(f'<a href="https://site{rng.randint(0, 40)}.example/p{i}">l{i}</a> ' for i in range(rng.randint(0, 70)))
    backlink = (f'<a href="https://{TARGET}/" rel="{rng.choice(["", "nofollow", "sponsored ugc"])}">t</a>'
                if rng.random() < 0.7 else "")
    return (f"<html lang=en><head><title>{rng.choice(WORDS)} | {domain}</title>"
            f"<script>gtag('config', 'UA-{rng.choice(['1111111', '2222222', '3333333'])}-1');</script></head>"
            f'<body><a href="/about/">About</a> <p>{shared} {text}</p> {links} {backlink}</body></html>')


def _lookups(source: PageSource, rng: random.Random, domains: list[str]) -> list[Lookup]:
    shared = " ".join(rng.choice(WORDS) for _ in range(80))  # near-duplicate text across domains
    out = []
    for domain in domains:
        pages = []
        for role, url in (("linking", f"http://{domain}/post/"), ("home", f"http://{domain}/")):
            result = FetchResult(url=url, final_url=url, status=200, content_type="text/html",
                                 address="127.0.0.1", text=_html(rng, domain, shared))
            pages.append(source._page_entry(role, result))
        out.append(Lookup(domain, "pages", True, {"target_keys": [TARGET], "pages": pages}))
    return out


def _features(tmp_path, name: str, lookups: list[Lookup], domains: list[str]) -> pd.DataFrame:
    path = tmp_path / f"{name}.sqlite"
    with LookupCache(path) as cache:
        cache.put_many(lookups)
    result = enrich(domains, config=NetworkConfig(), kinds=("pages",), cache_path=path, offline=True,
                    target_outbound=[], now=pd.Timestamp("2026-06-01", tz="UTC"))
    assert result.network_calls == 0 and result.errors.empty
    return result.features


def test_old_page_records_give_the_same_features_as_new_ones(tmp_path):
    domains = [f"ref{i}.example" for i in range(30)]
    config = NetworkConfig()
    new = _lookups(PageSource(config, {}, [TARGET]), random.Random(1), domains)
    old = _lookups(PageSource(config, {}, [TARGET], max_links=50), random.Random(1), domains)
    assert all(not p["record"]["links"] for lk in new for p in lk.data["pages"])
    assert any(len(p["record"]["links"]) == 50 for lk in old for p in lk.data["pages"])
    before_fingerprints = _lookups(PageSource(config, {}, [TARGET], max_links=50), random.Random(1), domains)
    for lookup in before_fingerprints:
        for page in lookup.data["pages"]:
            del page["record"]["text_minhash"], page["record"]["text_compression"]

    expected = _features(tmp_path, "new", new, domains)
    assert expected["content_near_duplicates"].gt(0).any()  # the comparison covers shared text
    assert expected["content_backlink_present"].eq(1).any() and expected["content_shared_analytics"].gt(0).any()
    pd.testing.assert_frame_equal(_features(tmp_path, "old", old, domains), expected)
    again = _features(tmp_path, "before_fingerprints", before_fingerprints, domains)
    # records without stored fingerprints recompute them from their text: same counts here
    pd.testing.assert_frame_equal(again, expected)


def test_a_cache_mixing_old_and_new_page_records_reads_back_every_row(tmp_path):
    domains = [f"mix{i}.example" for i in range(10)]
    config = NetworkConfig()
    new = _lookups(PageSource(config, {}, [TARGET]), random.Random(2), domains)
    old = _lookups(PageSource(config, {}, [TARGET], max_links=50), random.Random(2), domains)
    mixed = [o if i % 2 else n for i, (n, o) in enumerate(zip(new, old))]
    pd.testing.assert_frame_equal(_features(tmp_path, "mixed", mixed, domains),
                                  _features(tmp_path, "new", new, domains))
