"""Every hand-made export (one fictional site, every format) parses with its expected format and dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.ingest import read_export
from detector.schema import BACKLINK_DTYPES, BL

EXPECTED = {
    "ahrefs_backlinks_utf16.csv": ("ahrefs_backlinks",),
    "ahrefs_backlinks_utf8.csv": ("ahrefs_backlinks",),
    "ahrefs_referring_domains.csv": ("ahrefs_referring_domains",),
    "semrush_backlinks.csv": ("semrush_backlinks",),
    "semrush_backlinks_old.csv": ("semrush_backlinks_old",),
    "semrush_backlink_audit.csv": ("semrush_backlink_audit",),
    "semrush_referring_domains.csv": ("semrush_referring_domains",),
    "majestic_backlinks.csv": ("majestic_backlinks",),
    "majestic_api.csv": ("majestic_api",),
    "moz_links.csv": ("moz_links",),
    "gsc_links.zip": ("gsc_top_linking_sites", "gsc_latest_links", "gsc_more_sample_links"),
    "gsc_latest_links.xlsx": ("gsc_latest_links",),
    "bing_backlinks.csv": ("bing_backlinks",),
    "bing_domains.csv": ("bing_domains",),
    "plain_list.txt": ("plain_list",),
    "existing_disavow.txt": ("disavow",),
}
DOMAIN_LEVEL = {"ahrefs_referring_domains", "semrush_referring_domains", "gsc_top_linking_sites",
                "bing_domains"}


def test_every_sample_file_is_listed_and_documented(handmade_dir):
    present = {p.name for p in handmade_dir.iterdir()
               if p.is_file() and not p.name.startswith("_") and p.name != "README.md"}
    assert present == set(EXPECTED)
    readme = (handmade_dir / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_parses_with_expected_format(handmade_dir, name):
    result = read_export(handmade_dir / name)
    frame = result.frame
    assert result.formats == EXPECTED[name]
    assert 8 <= len(frame) <= 80
    assert result.problems == []
    assert {c: frame[c].dtype for c in frame.columns} == BACKLINK_DTYPES
    for column in (BL.SOURCE_URL, BL.SOURCE_HOST, BL.DOMAIN, BL.TOOL, BL.FORMAT,
                   BL.SOURCE_FILE, BL.SOURCE_LINE):
        assert frame[column].notna().all(), column
    assert frame[BL.SOURCE_LINE].is_unique or len(result.parts) > 1
    assert (frame[BL.SOURCE_LINE] >= 1).all()
    assert (frame[BL.DOMAIN] != "").all()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_link_rows_point_at_the_velora_site(handmade_dir, name):
    frame = read_export(handmade_dir / name).frame
    links = frame[~frame[BL.FORMAT].isin(DOMAIN_LEVEL | {"plain_list", "disavow"})]
    with_target = links[links[BL.TARGET_URL].notna()]
    assert (with_target[BL.TARGET_HOST] == "velora-bikes.com").all()
    domain_rows = frame[frame[BL.FORMAT].isin(DOMAIN_LEVEL)]
    assert domain_rows[BL.TARGET_URL].isna().all()
    assert (domain_rows[BL.SOURCE_URL] == domain_rows[BL.SOURCE_HOST]).all()


def test_samples_share_referring_domains(handmade_dir):
    domains = [set(read_export(handmade_dir / n).frame[BL.DOMAIN]) for n in EXPECTED]
    common = set.intersection(*[d for d in domains if len(d) > 15])
    assert {"best-ebike-reviews-2026.xyz", "cycling-tips-hub.top"} <= common


def test_utf16_and_utf8_ahrefs_samples_read_the_same(handmade_dir):
    a = read_export(handmade_dir / "ahrefs_backlinks_utf16.csv")
    b = read_export(handmade_dir / "ahrefs_backlinks_utf8.csv")
    assert a.parts[0].encoding == "utf-16-le" and a.parts[0].delimiter == "\t"
    assert b.parts[0].encoding == "utf-8" and b.parts[0].delimiter == ","
    pd.testing.assert_frame_equal(a.frame.drop(columns=[BL.SOURCE_FILE]),
                                  b.frame.drop(columns=[BL.SOURCE_FILE]))


def test_gsc_zip_names_each_member_and_skips_unusable_ones(handmade_dir):
    result = read_export(handmade_dir / "gsc_links.zip")
    files = set(result.frame[BL.SOURCE_FILE])
    stem = str(handmade_dir / "gsc_links.zip")
    assert files == {f"{stem}!Top linking sites.csv", f"{stem}!Latest links.csv",
                     f"{stem}!More sample links.csv"}
    assert len(result.skipped) == 1 and "Top linked pages.csv" in result.skipped[0]
    latest = result.frame[result.frame[BL.FORMAT] == "gsc_latest_links"]
    assert latest[BL.LAST_SEEN].notna().all()
    assert (latest[BL.LAST_SEEN].dt.year.isin([2024, 2025, 2026])).all()


def test_gsc_xlsx_rows_keep_excel_row_numbers_and_dates(handmade_dir):
    result = read_export(handmade_dir / "gsc_latest_links.xlsx")
    frame = result.frame
    assert frame[BL.SOURCE_LINE].tolist() == list(range(2, 2 + len(frame)))
    assert frame[BL.LAST_SEEN].notna().all()
    assert set(frame[BL.SOURCE_FILE]) == {f"{handmade_dir / 'gsc_latest_links.xlsx'}!Latest links"}
    assert any("Metadata" in s for s in result.skipped)


def test_moz_sample_preamble_is_skipped(handmade_dir):
    result = read_export(handmade_dir / "moz_links.csv")
    assert result.parts[0].header_line == 5
    assert int(result.frame[BL.SOURCE_LINE].iloc[0]) == 6
    assert result.frame[BL.MOZ_SPAM_SCORE].between(0, 100).all()


def test_existing_disavow_sample_rows(handmade_dir):
    frame = read_export(handmade_dir / "existing_disavow.txt").frame
    assert set(frame[BL.TOOL]) == {"disavow"}
    assert "old-partner-network.info" in set(frame[BL.DOMAIN])
    url_rows = frame[frame[BL.SOURCE_URL].str.startswith("https://")]
    assert len(url_rows) == 1
