"""``detector score`` with lookups, pointed at a served world by --network-config."""

from __future__ import annotations

import pandas as pd

from detector.cli import main


def test_score_with_lookups_uses_the_network_config_and_caches(served_small_world, tmp_path, capsys):
    exports, config = served_small_world
    export = str(exports["ahrefs_backlinks_utf8.csv"])
    cache, out = tmp_path / "lookups.sqlite", tmp_path / "domains.csv"
    argv = ["score", export, "--quiet", "--network-config", str(config), "--cache", str(cache),
            "--out", str(out)]
    assert main(argv) == 0
    domains = pd.read_csv(out)
    assert domains["content_linking_words"].notna().any()  # pages were fetched
    assert domains["reg_age_days"].notna().any()  # registration was looked up
    assert not domains["reasons"].fillna("").str.contains("export data only").all()
    assert cache.exists()


def test_a_bad_network_config_names_the_file_and_key(tmp_path, capsys):
    config = tmp_path / "net.json"
    config.write_text('{"dns_srevers": ["127.0.0.1"]}')
    export = tmp_path / "list.txt"
    export.write_text("https://a-site.example/page\n")
    assert main(["score", str(export), "--quiet", "--network-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "net.json" in err and "dns_srevers" in err
