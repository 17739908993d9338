"""The synthetic world: reproducible, labels agree with what the detector can observe."""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from detector.schema import SCHEMES
from detector.simulate import (EXPORT_FILES, FOOTPRINTS, World, WorldConfig, generate_world, load_world,
                               write_samples)
from detector.simulate import vocab
from detector.simulate.cli import main as simulate_main
from detector.simulate.exports import (AHREFS_COLUMNS, AHREFS_RD_COLUMNS, MAJESTIC_COLUMNS, MOZ_COLUMNS,
                                       SEMRUSH_COLUMNS)


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(WorldConfig.preset("medium", n_domains=400, seed=11))


def _tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    cfg = WorldConfig.preset("medium", n_domains=120, seed=5)
    a = _tree_hash(generate_world(cfg).write(tmp_path / "a", pages=True))
    b = _tree_hash(generate_world(cfg).write(tmp_path / "b", pages=True))
    assert a == b
    assert any(k.endswith("gsc_latest_links.xlsx") for k in a)
    c = _tree_hash(generate_world(cfg.with_(seed=6)).write(tmp_path / "c", pages=True))
    assert c != a


def test_world_reads_back_equal(world: World, tmp_path: Path) -> None:
    world.write(tmp_path, pages=False, records=False)
    back = load_world(tmp_path)
    assert back.config == world.config
    pd.testing.assert_frame_equal(back.domains, world.domains, check_dtype=False)
    pd.testing.assert_frame_equal(back.links, world.links, check_dtype=False)
    labels = pd.read_csv(tmp_path / "labels.csv")
    assert list(labels["domain"]) == sorted(world.referring["domain"])


def test_labels_cover_schemes_and_shares(world: World) -> None:
    labels = world.labels()
    assert set(labels["scheme"]) <= set(SCHEMES)
    assert set(labels["scheme"]) == set(SCHEMES)  # every scheme present at this size
    assert len(labels) == 400 and labels["domain"].is_unique
    pbn = labels[labels["scheme"] == "pbn"]
    assert pbn["network_id"].notna().all() and labels.loc[labels["scheme"] != "pbn", "network_id"].isna().all()
    sizes = pbn.groupby("network_id").size()
    assert sizes.min() >= 5 and sizes.max() <= 200
    assert labels.loc[labels["scheme"].isin(["pbn", "link_farm", "hacked"]), "toxic"].all()
    assert not labels.loc[labels["scheme"].isin(["natural", "parked"]), "toxic"].any()


def test_pbn_members_share_the_footprints_their_labels_say(world: World) -> None:
    d = world.domains.set_index("domain")
    nets = world.networks.set_index("network_id")
    idx = world.site_index()
    exposed_any = 0
    for dom, row in d[d["scheme"] == "pbn"].iterrows():
        net = nets.loc[int(row["network_id"])]
        block = row["ip"].rsplit(".", 1)[0] + ".0/24"
        assert (block == net["block"]) == bool(row["fp_ip_block"])
        assert (row["ns"] == f"ns1.{net['ns_provider']}.example ns2.{net['ns_provider']}.example") == bool(row["fp_ns"])
        if row["fp_registrar"]:
            assert row["registrar"] == net["registrar"]
        week = pd.Timestamp(net["reg_week"])
        in_week = week <= row["created"] < week + pd.Timedelta(days=7)
        if row["fp_reg_week"]:
            assert in_week
        html = idx.render(dom, "/").body.decode()
        assert (net["ga4"] in html) == bool(row["fp_analytics"])
        assert (net["template"] in html) == bool(row["fp_template"])
        exposed_any += sum(bool(row[f"fp_{fp}"]) for fp in FOOTPRINTS)
    assert exposed_any > 0


def test_hiding_knob_changes_exposure() -> None:
    def exposure(preset: str) -> float:
        lab = generate_world(WorldConfig.preset(preset, n_domains=600, seed=3)).labels()
        pbn = lab[lab["scheme"] == "pbn"]
        return float(pbn[[f"fp_{fp}" for fp in FOOTPRINTS]].to_numpy().mean())
    assert exposure("easy") > exposure("hard") + 0.3


def test_expired_domain_reuse_shows_history_before_registration(world: World) -> None:
    d = world.domains
    reused = d[(d["scheme"] == "pbn") & d["expired_reuse"]]
    assert len(reused) > 0
    assert (reused["created"] > reused["history_start"]).all()
    fresh = d[(d["scheme"] == "natural") & (d["role"] == "referring")]
    assert (fresh["created"] <= fresh["history_start"]).all()
    idx = world.site_index()
    for _, row in reused.head(10).iterrows():
        html = idx.render(row["domain"], "/").body.decode()
        assert f'datetime="{row["history_start"].date()}"' in html
    # links to the target appear only after the current registration
    links = world.links.merge(d[["domain", "created"]], on="domain")
    assert (links["first_seen"] >= links["created"]).all()


def test_hacked_pages_carry_hidden_spam_with_the_backlink(world: World) -> None:
    idx = world.site_index()
    hacked = world.links[world.links["domain"].isin(world.domains.loc[world.domains["scheme"] == "hacked", "domain"])]
    assert len(hacked)
    terms = vocab.GAMBLING_TERMS + vocab.PHARMA_TERMS
    for url, target in zip(hacked["source_url"], hacked["target_url"]):
        host, path = url.split("://", 1)[1].split("/", 1)
        html = idx.render(host, "/" + path).body.decode()
        assert "left:-9999px" in html
        assert any(t in html for t in terms)
        assert f'href="{target}"' in html


def test_reciprocal_sites_and_target_link_each_other(world: World) -> None:
    idx = world.site_index()
    recip = world.domains[world.domains["scheme"] == "reciprocal"]
    assert len(recip)
    for _, row in recip.iterrows():
        home = idx.render(row["domain"], "/").body.decode()
        assert f"https://{row['target']}/" in home
        partners = idx.render(row["target"], "/partners/").body.decode()
        assert f"http://{row['domain']}/" in partners


def test_link_pages_contain_the_backlink_with_its_rel(world: World) -> None:
    idx = world.site_index()
    sample = world.links.sample(60, random_state=1)
    for link in sample.itertuples():
        host, path = link.source_url.split("://", 1)[1].split("/", 1)
        html = idx.render(host, "/" + path).body.decode()
        assert f'href="{link.target_url}"' in html
        if link.rel:
            assert f'rel="{link.rel}"' in html


def test_comment_spam_is_toxic_only_when_it_passes_credit(world: World) -> None:
    cs = world.domains[world.domains["scheme"] == "comment_spam"]
    rels = world.links.groupby("domain")["rel"].agg(lambda r: r.str.contains("nofollow|ugc").all())
    for _, row in cs.iterrows():
        assert row["toxic"] == (not rels[row["domain"]])


def test_addresses_stay_on_loopback_in_24_blocks(world: World) -> None:
    d = world.domains
    ips = [ipaddress.ip_address(ip) for ip in d["ip"]]
    assert all(ip in ipaddress.ip_network("127.0.0.0/8") for ip in ips)
    assert not any(str(ip).startswith("127.0.0.") for ip in ips)  # servers' block stays free
    assert set(d["ipv6"].dropna()) <= {"::1"}
    cdn = d[d["provider"].isin(["edgecdn", "fastedge"])]
    blocks = cdn["ip"].str.rsplit(".", n=1).str[0]
    assert blocks.value_counts().max() >= 10  # many innocent domains share a CDN block
    assert d.loc[d["scheme"] == "parked", "ns"].str.contains("parking|sedo|bodis").all()


def test_export_files_have_the_tools_real_headers(world: World, tmp_path: Path) -> None:
    from detector.simulate.exports import write_exports

    written = {p.name: p for p in write_exports(world, tmp_path)}
    assert set(written) == set(EXPORT_FILES)
    raw16 = written["ahrefs_backlinks_utf16.csv"].read_bytes()
    assert raw16[:2] == b"\xff\xfe"
    assert raw16[2:].decode("utf-16-le").split("\r\n")[0].split("\t") == AHREFS_COLUMNS

    def header(name: str, skip: int = 0) -> list[str]:
        text = written[name].read_text(encoding="utf-8-sig")
        return next(csv.reader(io.StringIO("\n".join(text.splitlines()[skip:]))))
    assert header("ahrefs_backlinks_utf8.csv") == AHREFS_COLUMNS
    assert header("ahrefs_referring_domains.csv") == AHREFS_RD_COLUMNS
    assert header("semrush_backlinks.csv") == SEMRUSH_COLUMNS
    assert header("majestic_backlinks.csv") == MAJESTIC_COLUMNS
    assert header("moz_links.csv", skip=4) == MOZ_COLUMNS
    bing = written["bing_backlinks.csv"].read_bytes()
    assert bing.startswith(b"\xef\xbb\xbf\"Source Url\",\"Anchor text\",\"Target Url\"")
    with zipfile.ZipFile(written["gsc_links.zip"]) as z:
        assert sorted(z.namelist()) == ["Latest links.csv", "Top linking sites.csv"]
    ws = openpyxl.load_workbook(written["gsc_latest_links.xlsx"]).active
    assert [c.value for c in ws[1]] == ["Linking page", "Last crawled"] and ws.max_row > 10
    disavow = written["existing_disavow.txt"].read_text().splitlines()
    listed = {line[7:] for line in disavow if line.startswith("domain:")}
    toxic = set(world.domains.loc[world.domains["toxic"], "domain"])
    assert listed and listed <= toxic and len(listed) < len(toxic)


def test_tools_see_the_world_imperfectly(world: World, tmp_path: Path) -> None:
    from detector.simulate.exports import tool_view

    truth = set(world.referring["domain"])
    seen = {tool: set(tool_view(world, tool, world.targets[0])["domain"]) for tool in ("ahrefs", "moz", "bing")}
    for tool, doms in seen.items():
        assert doms < truth
    assert len(seen["ahrefs"]) > len(seen["bing"])
    view = tool_view(world, "ahrefs", world.targets[0])
    assert view["dr"].isna().any() or world.config.missing_rate == 0
    pbn = view[view["scheme"] == "pbn"]
    nat = view[view["scheme"] == "natural"]
    assert (pbn["tf"] / pbn["cf"]).median() < (nat["tf"] / nat["cf"]).median()


def test_every_export_reads_back_with_its_format_and_domains(world: World, tmp_path: Path) -> None:
    from detector.ingest import read_export
    from detector.simulate.exports import write_exports

    expected = {"ahrefs_backlinks_utf16.csv": "ahrefs_backlinks", "ahrefs_backlinks_utf8.csv": "ahrefs_backlinks",
                "ahrefs_referring_domains.csv": "ahrefs_referring_domains", "semrush_backlinks.csv": "semrush_backlinks",
                "semrush_backlink_audit.csv": "semrush_backlink_audit", "majestic_backlinks.csv": "majestic_backlinks",
                "moz_links.csv": "moz_links", "gsc_links.zip": "gsc_latest_links",
                "gsc_latest_links.xlsx": "gsc_latest_links", "bing_backlinks.csv": "bing_backlinks",
                "plain_list.txt": "plain_list", "existing_disavow.txt": "disavow"}
    truth = set(world.referring["domain"])
    for path in write_exports(world, tmp_path):
        result = read_export(path)
        assert expected[path.name] in result.formats, path.name
        assert not result.problems, (path.name, result.problems[:3])
        got = set(result.frame["domain"].dropna())
        assert got and got <= truth, path.name
        if path.suffix == ".csv" and "domains" not in path.name:
            with open(path, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-16") if raw[:2] == b"\xff\xfe" else raw.decode("utf-8-sig")
            n_rows = len(list(csv.reader(io.StringIO(text), delimiter="\t" if raw[:2] == b"\xff\xfe" else ","))) - 1
            if path.name != "moz_links.csv":
                assert len(result.frame) == n_rows, path.name


def test_write_samples_and_cli(tmp_path: Path) -> None:
    written = write_samples(tmp_path / "samples")
    names = {p.name for p in written}
    assert names == set(EXPORT_FILES) | {"labels.csv"}
    labels = pd.read_csv(tmp_path / "samples" / "labels.csv")
    assert labels["toxic"].any() and (~labels["toxic"]).any()
    bing = pd.read_csv(tmp_path / "samples" / "bing_backlinks.csv", encoding="utf-8-sig")
    from detector.keys import domain_key
    assert {domain_key(u) for u in bing["Source Url"]} <= set(labels["domain"])
    assert simulate_main(["--preset", "easy", "--domains", "60", "--seed", "2", "--out", str(tmp_path / "w")]) == 0
    assert (tmp_path / "w" / "labels.csv").exists() and (tmp_path / "w" / "dns" / "zones.db").exists()
    assert simulate_main(["--preset", "samples", "--out", str(tmp_path / "s2")]) == 0
    assert _tree_hash(tmp_path / "s2") == _tree_hash(tmp_path / "samples")


def test_config_round_trips_and_rejects_bad_values() -> None:
    cfg = WorldConfig.preset("hard_negatives", n_domains=50, seed=9)
    assert WorldConfig.from_json(cfg.to_json()) == cfg
    with pytest.raises(ValueError, match="unknown preset"):
        WorldConfig.preset("impossible")
    with pytest.raises(ValueError, match="sum to <= 1"):
        WorldConfig(share_pbn=0.9, share_link_farm=0.5).scheme_shares()
