"""Footprints read from the export itself: title patterns, path schemes, first-seen bursts,
interlinks, and a network found from an export plus hosting footprints."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.network import (burst_footprints, export_footprints, find_networks, first_seen_by_domain,
                              interlinks_from_backlinks, path_scheme, title_pattern)
from detector.schema import BL, coerce_backlinks


@pytest.mark.parametrize("title, domain, expected", [
    ("10 Best Slots | Acme Blog", "acme-blog.com", "# best slots | {site}"),
    ("Cheap Loans 2024 \u2013 loanhub.net", "loanhub.net", "cheap loans # | {site}"),
    ("Top 7 Casino Bonuses: Guide", "x.test", "top # casino bonuses | guide"),
    ("Home", "x.test", None),
    ("Blog - Acme", "acme.test", None),
    ("   ", "x.test", None),
    (None, "x.test", None),
])
def test_title_pattern(title, domain, expected):
    assert title_pattern(title, domain) == expected


def test_title_patterns_of_one_template_on_different_sites_agree():
    a = title_pattern("Best VPN 2023 | Tech Pulse", "tech-pulse.com")
    b = title_pattern("Best VPN 2025 | GadgetHub", "gadgethub.org")
    assert a == b == "best vpn # | {site}"
    assert title_pattern("Best VPN 2025 | Tech Pulse", "other.com") == "best vpn # | tech pulse"


@pytest.mark.parametrize("url, expected", [
    ("https://a.test/2024/03/best-bikes-2/", "/YYYY/MM/slug-N/"),
    ("https://a.test/2024/03/17/best-bikes/", "/YYYY/MM/DD/slug/"),
    ("http://a.test/blog/cheap-loans.html", "/blog/slug.html"),
    ("http://a.test/p/8f3a9c2e1b7d/", "/p/ID/"),
    ("http://a.test/news/12345", "/news/N"),
    ("http://a.test/about/team/", None),  # words only: a page, not a scheme
    ("http://a.test/best-bikes/", None),  # one segment: too common to tell anything
    ("http://a.test/", None),
    ("a.test", None),
    (None, None),
])
def test_path_scheme(url, expected):
    assert path_scheme(url) == expected


def day(d: str) -> pd.Timestamp:
    return pd.Timestamp(d, tz="UTC")


def test_steady_profile_has_no_burst():
    dates = pd.date_range("2024-01-01", periods=200, freq="D", tz="UTC")
    fs = pd.Series(dates, index=[f"d{i}.test" for i in range(200)])
    assert burst_footprints(fs).empty


def test_spike_is_a_burst_for_its_domains_only():
    steady = pd.Series(pd.date_range("2024-01-01", periods=300, freq="D", tz="UTC"),
                       index=[f"s{i}.test" for i in range(300)])
    spike = pd.Series([day("2024-06-10")] * 15 + [day("2024-06-11")] * 10,
                      index=[f"b{i}.test" for i in range(25)])
    out = burst_footprints(pd.concat([steady, spike]))
    assert set(out["kind"]) == {"first_seen_burst"}
    burst_domains = set(out["domain"])
    assert {f"b{i}.test" for i in range(25)} <= burst_domains
    # the steady domains first seen on those two days fall in the burst too, nobody else
    assert burst_domains - {f"b{i}.test" for i in range(25)} == {"s161.test", "s162.test"}
    assert out["key"].nunique() == 1 and out["key"].iloc[0] == "2024-06-10..2024-06-11"


def test_a_new_site_whose_links_all_arrive_at_once_has_no_burst():
    fs = pd.Series([day("2025-01-01")] * 40, index=[f"n{i}.test" for i in range(40)])
    assert burst_footprints(fs).empty  # the profile's own rate IS this rate


def export_frame() -> pd.DataFrame:
    rows = []
    for i in range(6):  # a PBN: same theme titles and dated slugs, links in one week
        rows.append({BL.SOURCE_URL: f"https://pbn{i}.test/2025/0{i % 3 + 1}/best-slots-{i}/", BL.DOMAIN: f"pbn{i}.test",
                     BL.SOURCE_TITLE: f"Best Slots {2020 + i} | PBN {i}", BL.TARGET_URL: "https://money.test/",
                     BL.FIRST_SEEN: day("2025-04-02")})
    for i in range(60):  # ordinary referring domains over a year
        rows.append({BL.SOURCE_URL: f"https://site{i}.test/about/", BL.DOMAIN: f"site{i}.test",
                     BL.SOURCE_TITLE: f"About site number {i}", BL.TARGET_URL: "https://money.test/",
                     BL.FIRST_SEEN: day("2024-01-01") + pd.Timedelta(days=6 * i)})
    rows.append({BL.SOURCE_URL: "https://pbn0.test/partners/", BL.DOMAIN: "pbn0.test", BL.SOURCE_TITLE: "Partners",
                 BL.TARGET_URL: "https://pbn1.test/", BL.FIRST_SEEN: day("2025-04-02")})
    return coerce_backlinks(pd.DataFrame(rows))


def test_export_footprints_from_a_backlinks_frame():
    out = export_footprints(export_frame())
    assert list(out.columns) == ["domain", "kind", "key"]
    pbn = out[out["domain"].str.startswith("pbn")]
    assert set(pbn["kind"]) == {"title_pattern", "path_scheme", "first_seen_burst"}
    assert pbn[pbn["kind"] == "path_scheme"]["key"].unique().tolist() == ["/YYYY/MM/slug-N/"]
    assert pbn[pbn["kind"] == "title_pattern"]["key"].nunique() == 1
    ordinary = out[out["domain"].str.startswith("site")]
    assert "first_seen_burst" not in set(ordinary["kind"]) and "path_scheme" not in set(ordinary["kind"])
    assert first_seen_by_domain(export_frame())["pbn0.test"] == day("2025-04-02")


def test_export_without_titles_or_dates_gives_what_it_can():
    bare = coerce_backlinks(pd.DataFrame({BL.DOMAIN: ["a.test"], BL.SOURCE_URL: ["https://a.test/2020/01/x-y/"]}))
    out = export_footprints(bare)
    assert out[["kind", "key"]].values.tolist() == [["path_scheme", "/YYYY/MM/slug/"]]
    assert export_footprints(coerce_backlinks(pd.DataFrame({BL.DOMAIN: []}))).empty


def test_interlinks_from_backlinks_keep_links_between_referring_domains():
    links = interlinks_from_backlinks(export_frame())
    assert links.values.tolist() == [["pbn0.test", "pbn1.test"]]


def test_export_footprints_alone_make_no_network_but_corroborate_hosting():
    backlinks = export_frame()
    exported = export_footprints(backlinks)
    assert find_networks(exported).memberships.empty  # one family, however many kinds
    pbns = [f"pbn{i}.test" for i in range(6)]
    others = pd.DataFrame({"domain": pbns * 2, "kind": ["ns"] * 6 + ["template"] * 6,
                           "key": ["ns1.op.test"] * 6 + ["wordpress:slotz"] * 6})
    assert find_networks(others).memberships.empty  # name servers 1.0 + theme 0.5 < 2.0
    result = find_networks([exported, others], first_seen=first_seen_by_domain(backlinks))
    assert result.networks["size"].tolist() == [6]
    assert set(result.networks.loc[0, "families"].split(";")) == {"export", "hosting", "content"}
    assert result.evidence[1].timeline["first_seen"].notna().all()


def test_batched_title_patterns_match_the_one_pair_function():
    from detector.network.export_footprints import _title_patterns, title_pattern

    titles = ["10 Best Slots | Acme Blog", "Home - acme-blog.com", "Acmeblog: cheap loans 2024",
              None, "", "  ", "Best bikes 2024 – reviews", "acme blog — slot gacor 77",
              "Best bikes 2024 – reviews", "ACME-BLOG.COM | top 5 casino bonus codes"]
    domains = ["acme-blog.com", "acme-blog.com", "acme-blog.com", "x.org", "x.org", "x.org",
               "bikes.net", "acme-blog.com", "acme-blog.com", "acme-blog.com"]
    batched = _title_patterns(pd.Series(titles, dtype="string"), pd.Series(domains, dtype="string"))
    assert list(batched) == [title_pattern(t, d) for t, d in zip(titles, domains)]
    assert batched[2] == "{site} | cheap loans #" and batched[6] == "best {site} # | reviews"
