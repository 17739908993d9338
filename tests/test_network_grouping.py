"""find_networks: planted PBNs are found; hard negatives (CDNs, universities, sister sites,
shared hosting, bursts) produce no network; rules and input handling."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from detector.errors import InputError
from detector.network import FootprintRules, find_networks


def frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["domain", "kind", "key"])


def pbn_rows(prefix: str, size: int, *, seed: int, hide: float = 0.3, block: str = "127.66.1.0/24",
             ga: str = "UA-777", week: str = "cheap names|2025-W10") -> list[tuple[str, str, str]]:
    """A planted PBN: one operator's block, name servers, registrar week, analytics ID and
    template, each hidden by a member with probability ``hide`` (every member keeps >= 2)."""
    rng = random.Random(seed)
    prints = [("ip24", block), ("ns", f"ns1.{prefix}host.test,ns2.{prefix}host.test"), ("registrar_week", week),
              ("analytics_id", ga), ("template", f"wordpress:{prefix}-theme")]
    rows = []
    for i in range(size):
        shown = [p for p in prints if rng.random() >= hide]
        if len(shown) < 3:
            shown = prints[:1] + prints[2:4]
        rows += [(f"{prefix}{i:02d}.test", kind, key) for kind, key in shown]
    return rows


def noise_rows(n: int, *, seed: int) -> list[tuple[str, str, str]]:
    """Ordinary referring domains: own blocks, popular registrars, own analytics accounts."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        d = f"site{i:04d}.test"
        rows.append((d, "ip24", f"127.{rng.randint(100, 140)}.{rng.randint(0, 255)}.0/24"))
        rows.append((d, "registrar_week", f"registrar{rng.randint(0, 4)}|2020-W{rng.randint(1, 52):02d}"))
        if rng.random() < 0.5:
            rows.append((d, "analytics_id", f"UA-{rng.randint(10_000, 99_999)}"))
        rows.append((d, "template", f"wordpress:theme{rng.randint(0, 20)}"))
    return rows


def test_planted_pbn_is_found_as_one_network_among_noise():
    planted = pbn_rows("pbn", 12, seed=1)
    result = find_networks(frame(planted + noise_rows(400, seed=2)))
    assert len(result.networks) == 1
    members = set(result.memberships["domain"])
    shown = frame(planted).groupby("domain")["kind"].agg(set)
    # a member showing only hosting + registrar week (1.0 + 0.75) cannot be told from a
    # shared host's customer who registered the same week: the documented limit
    weak = set(shown[shown.map(lambda kinds: kinds <= {"ip24", "ns", "registrar_week"})].index)
    assert weak == {"pbn01.test"}
    assert members == set(shown.index) - weak
    kinds = set(result.networks.loc[0, "footprint_kinds"].split(";"))
    assert {"analytics_id", "ip24"} <= kinds
    assert result.networks.loc[0, "n_families"] >= 2


def test_two_networks_are_numbered_by_size():
    rows = pbn_rows("big", 9, seed=3) + pbn_rows("small", 4, seed=4, block="127.66.2.0/24", ga="UA-888",
                                                  week="other names|2025-W20")
    result = find_networks(frame(rows))
    assert result.networks["size"].tolist() == [9, 4]
    by_id = result.memberships.groupby("network_id")["domain"].agg(set)
    assert all(d.startswith("big") for d in by_id[1]) and all(d.startswith("small") for d in by_id[2])


#: the hard negatives must hold by the family rule alone, not only because a key is too common
NO_SHARE_CAP = FootprintRules(max_key_share=None)
RULE_SETS = [pytest.param(FootprintRules(), id="default"), pytest.param(NO_SHARE_CAP, id="no-share-cap")]


def test_one_shared_block_alone_is_no_network_cdn_customers():
    rows = [(f"shop{i}.test", "ip24", "127.99.0.0/24") for i in range(500)]
    result = find_networks(frame(rows))
    assert result.memberships.empty and result.networks.empty
    # 500 holders is beyond the key cap: the block is reported as ignored, not used
    assert result.ignored_keys.loc[0, ["kind", "key", "domains"]].tolist() == ["ip24", "127.99.0.0/24", 500]
    # under the cap, one family still never makes a strong tie
    under_cap = find_networks(frame(rows[:150]), rules=NO_SHARE_CAP)
    assert under_cap.memberships.empty and under_cap.ignored_keys.empty
    assert (under_cap.ties["partners"] == 149).all()  # tied, but weakly


@pytest.mark.parametrize("rules", RULE_SETS)
def test_same_family_footprints_do_not_add_up(rules):
    rows = [(f"h{i}.test", kind, key) for i in range(30)
            for kind, key in (("ip24", "127.5.5.0/24"), ("ip48", "2001:db8:5::/48"), ("ns", "ns1.h.test"))]
    assert find_networks(frame(rows), rules=rules).memberships.empty


@pytest.mark.parametrize("rules", RULE_SETS)
@pytest.mark.parametrize("published_registrant", [True, False])
def test_university_sites_are_no_network(published_registrant, rules):
    rows = []
    for i in range(40):
        d = f"dept{i}-uni.test"
        rows += [(d, "ip24", "127.80.1.0/24"), (d, "ns", "ns1.uni.test,ns2.uni.test")]
        if published_registrant:
            rows.append((d, "registrant", "university of testing"))
    result = find_networks(frame(rows), rules=rules)
    assert result.memberships.empty
    if published_registrant and rules is NO_SHARE_CAP:  # the ownership is visible, not hidden
        assert (result.ties["declared_siblings"] == 39).all()


def sister_site_rows() -> list[tuple[str, str, str]]:
    rows = []
    for i, block in enumerate(["127.20.1.0/24", "127.21.7.0/24", "127.22.3.0/24", "127.23.9.0/24", "127.24.2.0/24"]):
        d = f"brand{i}.test"
        rows += [(d, "registrant", "acme holdings ltd"), (d, "analytics_id", "UA-424242"), (d, "ip24", block),
                 (d, "registrar_week", f"markmonitor|20{10 + i}-W0{i + 1}")]
    return rows


def test_company_sister_sites_with_published_registrant_are_no_network():
    interlinks = pd.DataFrame({"source_domain": ["brand0.test", "brand1.test", "brand2.test", "brand3.test"],
                               "target_domain": ["brand1.test", "brand2.test", "brand3.test", "brand4.test"]})
    result = find_networks(frame(sister_site_rows()), interlinks=interlinks)
    assert result.memberships.empty
    # counting the registrant as ordinary evidence instead groups them: the rule decides
    counted = find_networks(frame(sister_site_rows()), interlinks=interlinks,
                            rules=FootprintRules(declared_owner_kinds=()))
    assert counted.networks["size"].tolist() == [5]


@pytest.mark.parametrize("rules", RULE_SETS)
def test_hosting_company_shared_range_is_no_network(rules):
    rng = random.Random(11)
    rows = []
    for i in range(180):  # one unlisted host: its /24, its name servers, its default theme
        d = f"customer{i}.test"
        rows += [(d, "ip24", "127.90.4.0/24"), (d, "ns", "ns1.hostco.test,ns2.hostco.test"),
                 (d, "template", "wordpress:hostco-starter"),
                 (d, "registrar_week", f"{rng.choice(['hostco', 'godaddy', 'namecheap'])}|"
                                       f"{rng.randint(2015, 2025)}-W{rng.randint(1, 52):02d}")]
    result = find_networks(frame(rows), rules=rules)
    assert result.memberships.empty, result.networks


@pytest.mark.parametrize("rules", RULE_SETS)
def test_a_burst_alone_or_with_other_export_footprints_is_no_network(rules):
    rows = [(f"b{i}.test", "first_seen_burst", "2025-03-01..2025-03-02") for i in range(60)]
    assert find_networks(frame(rows), rules=rules).memberships.empty
    rows += [(f"b{i}.test", "path_scheme", "/YYYY/MM/slug/") for i in range(60)]
    rows += [(f"b{i}.test", "title_pattern", "slot gacor | {site}") for i in range(60)]
    assert find_networks(frame(rows), rules=rules).memberships.empty


def test_share_cap_sets_aside_keys_most_of_a_small_export_holds():
    rows = [(f"w{i}.test", "path_scheme", "/YYYY/MM/slug/") for i in range(120)]
    rows += [(f"w{i}.test", "ns", "ns1.bighost.test") for i in range(40)]
    rows += [(f"w{i}.test", "template", "wordpress:astra") for i in range(40)]
    rows += [(f"w{i}.test", "ip24", f"127.8.{i}.0/24") for i in range(120, 300)]
    result = find_networks(frame(rows))
    assert result.rules.key_cap(300) == 30
    assert set(result.ignored_keys["key"]) == {"/YYYY/MM/slug/", "ns1.bighost.test", "wordpress:astra"}
    assert result.memberships.empty
    # without the share cap, the WordPress default permalink, a big host's name servers
    # and a popular theme would tie 40 domains across three families (0.5 + 1.0 + 0.5)
    assert find_networks(frame(rows), rules=NO_SHARE_CAP).networks["size"].tolist() == [40]


def test_hub_pages_linking_to_everyone_are_not_interlinks():
    rows = [(f"d{i}.test", "analytics_id", f"UA-{i % 3}") for i in range(30)]
    directory = pd.DataFrame({"source_domain": ["dir.test"] * 30, "target_domain": [f"d{i}.test" for i in range(30)]})
    blogroll = pd.DataFrame({"source_domain": ["d0.test", "d3.test", "d6.test"],
                             "target_domain": ["d3.test", "d6.test", "d9.test"]})
    result = find_networks(frame(rows), interlinks=pd.concat([directory, blogroll]))
    hub = result.ignored_keys[result.ignored_keys["kind"] == "interlink"]
    assert hub[["key", "domains"]].values.tolist() == [["dir.test", 30]]
    assert result.memberships["domain"].tolist() == ["d0.test", "d3.test", "d6.test", "d9.test"]


def test_unknown_kinds_count_generically():
    rules = FootprintRules()
    base = [(f"u{i}.test", "favicon_hash", "f00d") for i in range(5)]
    with_block = base + [(f"u{i}.test", "ip24", "127.3.3.0/24") for i in range(5)]
    # default weight 0.75 + hosting 1.0 = 1.75 < 2.0: not strong
    assert rules.weight_of("favicon_hash") + rules.weight_of("ip24") < rules.min_edge_weight
    assert find_networks(frame(with_block)).memberships.empty
    with_ga = base + [(f"u{i}.test", "analytics_id", "UA-5") for i in range(5)]
    result = find_networks(frame(with_ga))
    assert result.networks["size"].tolist() == [5]
    assert set(result.networks.loc[0, "families"].split(";")) == {"content", "other"}


def test_interlinks_are_a_family_of_their_own():
    rows = [(f"i{i}.test", "analytics_id", "UA-31") for i in range(4)]
    links = pd.DataFrame({"source_domain": ["i0.test", "i1.test", "i2.test"],
                          "target_domain": ["i1.test", "i2.test", "i3.test"]})
    result = find_networks(frame(rows), interlinks=links)
    assert result.networks["size"].tolist() == [4]
    assert set(result.networks.loc[0, "footprint_kinds"].split(";")) == {"analytics_id", "interlink"}
    assert set(result.networks.loc[0, "families"].split(";")) == {"content", "links"}
    assert find_networks(frame(rows)).memberships.empty  # one analytics ID alone is one family


def test_ignore_list_and_key_cap_and_domain_restriction():
    rows = pbn_rows("pbn", 8, seed=5, hide=0.0)
    assert len(find_networks(frame(rows)).networks) == 1
    banned = FootprintRules(ignored_keys=frozenset({("analytics_id", "UA-777"), ("ip24", "127.66.1.0/24")}))
    result = find_networks(frame(rows), rules=banned)
    assert set(result.ignored_keys["reason"]) == {"on the ignore list"}
    # ns + registrar week + template remain: 1.0 + 1.0 + 0.5 over three families
    assert result.networks["size"].tolist() == [8]
    capped = FootprintRules(max_key_domains=7)  # every key is held by 8: none is distinctive
    assert find_networks(frame(rows), rules=capped).memberships.empty
    only = [f"pbn{i:02d}.test" for i in range(2)]
    restricted = find_networks(frame(rows), domains=only + ["other.test"])
    assert restricted.memberships.empty and set(restricted.ties["domain"]) == set(only) | {"other.test"}


def test_small_groups_below_min_size_are_no_network():
    rows = pbn_rows("duo", 2, seed=6, hide=0.0)
    assert find_networks(frame(rows)).memberships.empty
    assert find_networks(frame(rows), rules=FootprintRules(min_network_size=2)).networks["size"].tolist() == [2]


def test_hosting_and_registrar_week_alone_are_not_enough():
    rows = [(f"k{i}.test", kind, key) for i in range(6)
            for kind, key in (("ip24", "127.7.7.0/24"), ("registrar_week", "x|2025-W01"))]
    assert find_networks(frame(rows)).memberships.empty
    rows += [(f"k{i}.test", "template", "wordpress:k-theme") for i in range(6)]  # a third family
    assert find_networks(frame(rows)).networks["size"].tolist() == [6]


def test_stricter_family_count_needs_more_agreement():
    rows = [(f"k{i}.test", kind, key) for i in range(6)
            for kind, key in (("ip24", "127.7.7.0/24"), ("analytics_id", "UA-70"))]
    assert len(find_networks(frame(rows)).networks) == 1
    assert find_networks(frame(rows), rules=FootprintRules(min_families=3)).memberships.empty


def test_result_does_not_depend_on_row_order():
    rows = pbn_rows("pbn", 10, seed=7) + noise_rows(200, seed=8)
    a = find_networks(frame(rows))
    shuffled = frame(rows).sample(frac=1.0, random_state=3)
    b = find_networks(shuffled)
    pd.testing.assert_frame_equal(a.memberships, b.memberships)
    pd.testing.assert_frame_equal(a.networks, b.networks)
    pd.testing.assert_frame_equal(a.edges, b.edges)


def test_missing_values_and_duplicates_are_dropped():
    rows = pbn_rows("pbn", 5, seed=9, hide=0.0)
    messy = pd.concat([frame(rows), frame(rows), pd.DataFrame({"domain": [None, "x.test"], "kind": ["ip24", None],
                                                               "key": ["127.1.1.0/24", "k"]})])
    assert find_networks(messy).networks["size"].tolist() == [5]


def test_bad_input_names_the_frame_and_columns():
    with pytest.raises(InputError, match=r"footprint frame #2: missing column\(s\) \['key'\]"):
        find_networks([frame([]), pd.DataFrame({"domain": ["a"], "kind": ["ip24"]})])
    with pytest.raises(InputError, match="interlinks frame"):
        find_networks(frame([]), interlinks=pd.DataFrame({"from": ["a"], "to": ["b"]}))


def test_empty_input_gives_empty_result():
    result = find_networks(None, domains=["a.test", "b.test"])
    assert result.memberships.empty and result.networks.empty and result.evidence == {}
    assert result.ties["has_footprints"].tolist() == [False, False]
    nothing = find_networks(None)
    assert nothing.ties.empty and nothing.networks.empty and nothing.edges.empty
