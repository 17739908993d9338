"""Format registry, header detection and each format's value mapping."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from detector.ingest import detect_format, known_formats, read_export
from detector.schema import BL


def _read(text: str, name: str = "export.csv", encoding: str = "utf-8"):
    return read_export(text.encode(encoding), name=name)


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ---------------------------------------------------------------- registry and detection

def test_known_formats_are_consistent():
    formats = known_formats()
    ids = [f.id for f in formats]
    assert len(ids) == len(set(ids))
    for needed in ("ahrefs_backlinks", "ahrefs_referring_domains", "semrush_backlinks",
                   "semrush_backlinks_old", "semrush_backlink_audit", "semrush_referring_domains",
                   "majestic_backlinks", "majestic_api", "moz_links", "gsc_latest_links",
                   "gsc_more_sample_links", "gsc_top_linking_sites", "bing_backlinks",
                   "bing_domains", "plain_list", "disavow"):
        assert needed in ids
    for fmt in formats:
        assert fmt.tool and fmt.title
        targets = {c.target for c in fmt.columns}
        assert set(fmt.required) <= targets, fmt.id
        if fmt.level != "list":
            assert BL.SOURCE_URL in fmt.required
        assert fmt.id in fmt.describe()


@pytest.mark.parametrize("header, expected", [
    (["Referring page URL", "Target URL", "Anchor"], "ahrefs_backlinks"),
    (["  REFERRING   page url ", "target url", "LINK ANCHOR"], "ahrefs_backlinks"),
    (["Referring Page URL", "Link URL", "Link Anchor", "Domain Rating"], "ahrefs_backlinks"),
    (["Domain", "DR", "Dofollow ref. domains", "Traffic "], "ahrefs_referring_domains"),
    (["Page ascore", "Source title", "Source url", "Target url", "Anchor"], "semrush_backlinks"),
    (["page SCORE", "Page trust score", "Source url", "Target url"], "semrush_backlinks_old"),
    (["Source url", "Target url", "Anchor", "Toxicity Score", "Toxic markers", "Page ascore"],
     "semrush_backlink_audit"),
    (["Domain ascore", "Domain", "Backlinks"], "semrush_referring_domains"),
    (["Target URL", "Source URL", "Anchor Text", "Source Crawl Date", "FlagNoFollow",
      "FlagImageLink", "SourceTrustFlow"], "majestic_backlinks"),
    (["SourceURL", "ACRank", "AnchorText", "Date", "FlagNoFollow", "FlagImages", "FlagDeleted",
      "TargetURL", "FirstIndexedDate", "LastSeenDate"], "majestic_api"),
    (["URL", "Title", "Anchor Text", "Spam Score", "Domain Authority", "Target URL"], "moz_links"),
    (["Linking page", "Last crawled"], "gsc_latest_links"),
    (["linking page"], "gsc_more_sample_links"),
    (["Site", "Linking pages", "Target pages"], "gsc_top_linking_sites"),
    (["Source Url", "Anchor text", "Target Url"], "bing_backlinks"),
    (["Domain", "Backlinks Count"], "bing_domains"),
])
def test_detect_format_from_header(header, expected):
    match = detect_format(header)
    assert match is not None and match.complete
    assert match.format.id == expected


def test_detect_format_reports_missing_required_columns():
    match = detect_format(["Source url", "Target url", "Page trust score"])
    assert match is not None and not match.complete
    assert match.format.id == "semrush_backlinks_old"
    assert match.missing == ("Page score",)
    assert detect_format(["Keyword", "Volume"]) is None


# ---------------------------------------------------------------- Ahrefs

AHREFS = ("Referring page title,Referring page URL,Language,Referring page HTTP code,Domain rating,"
          "UR,Domain traffic,Target URL,Anchor,Type,Is spam,Nofollow,UGC,Sponsored,Lost status,"
          "First seen,Last seen,Lost\n")


def test_ahrefs_mapping_rel_dates_numbers_and_missing():
    text = AHREFS + (
        'News,https://www.riverton-gazette.com/a,"en, fr","301, 301",78,12,"5,000,000,000",'
        "https://velora-bikes.com/,Velora,text,false,true,false,false,,2026-05-09 16:34:28,"
        "2026-05-10 01:02:03,\n"
        "PBN,https://cycling-tips-hub.top/x,en,200,,3,0,https://velora-bikes.com/city,"
        "best electric bikes,image,true,false,true,true,removedfromhtml,2025-01-02 00:00:00,"
        "2025-03-04 05:06:07,2025-03-05 00:00:00\n")
    frame = _read(text).frame
    first, second = frame.iloc[0], frame.iloc[1]
    assert first[BL.LANGUAGE] == "en"
    assert first[BL.HTTP_CODE] == 301
    assert first[BL.DOMAIN_TRAFFIC] == 5_000_000_000.0 > 2**31
    assert frame[BL.DOMAIN_TRAFFIC].dtype == "float64"
    assert (first[BL.NOFOLLOW], first[BL.UGC], first[BL.SPONSORED]) == (True, False, False)
    assert (second[BL.NOFOLLOW], second[BL.UGC], second[BL.SPONSORED]) == (False, True, True)
    assert first[BL.FIRST_SEEN] == _utc("2026-05-09 16:34:28")
    assert pd.isna(first[BL.LOST_AT]) and pd.isna(first[BL.LOST_STATUS])
    assert second[BL.LOST_AT] == _utc("2025-03-05")
    assert second[BL.LOST_STATUS] == "removedfromhtml"
    assert second[BL.LINK_TYPE] == "image"
    assert math.isnan(second[BL.DOMAIN_AUTHORITY])  # empty DR stays missing, never 0
    assert second[BL.DOMAIN_TRAFFIC] == 0.0  # an exported 0 stays 0
    assert bool(second[BL.AHREFS_IS_SPAM]) is True
    assert first[BL.SOURCE_HOST] == "www.riverton-gazette.com"
    assert first[BL.DOMAIN] == "riverton-gazette.com"
    assert first[BL.TARGET_HOST] == "velora-bikes.com"
    assert frame[BL.SOURCE_LINE].tolist() == [2, 3]
    assert set(frame[BL.TOOL]) == {"ahrefs"}


def test_ahrefs_old_title_case_header(fixtures_dir):
    result = read_export(fixtures_dir / "exports" / "ahrefs_old_titlecase.csv")
    frame = result.frame
    assert result.formats == ("ahrefs_backlinks",)
    assert frame[BL.ANCHOR].tolist() == ["Velora", "best electric bikes"]
    assert frame[BL.TARGET_URL].iloc[1] == "https://velora-bikes.com/city"
    assert frame[BL.DOMAIN_AUTHORITY].iloc[0] == 78.0 and math.isnan(frame[BL.DOMAIN_AUTHORITY].iloc[1])
    assert frame[BL.EXTERNAL_LINKS].iloc[0] == 1240.0
    assert frame[BL.NOFOLLOW].tolist() == [False, True]
    assert frame[BL.LAST_SEEN].iloc[0] == _utc("2026-05-09 16:34:28")
    assert frame[BL.LANGUAGE].iloc[0] == "en" and pd.isna(frame[BL.LANGUAGE].iloc[1])


def test_ahrefs_referring_domains_are_domain_level():
    text = ("Domain,DR,Dofollow ref. domains,Dofollow linked domains,Traffic ,First seen,Lost,Is spam\n"
            "WWW.Riverton-Gazette.com,78,\"4,100\",220,\"3,400,000,000\",2024-01-01 00:00:00,,false\n"
            "spam.blogspot.com,91,2,900,0,2025-06-01 10:00:00,,true\n")
    frame = _read(text).frame
    assert frame[BL.SOURCE_URL].tolist() == ["www.riverton-gazette.com", "spam.blogspot.com"]
    assert frame[BL.DOMAIN].tolist() == ["riverton-gazette.com", "spam.blogspot.com"]
    assert frame[BL.TARGET_URL].isna().all() and frame[BL.ANCHOR].isna().all()
    assert frame[BL.SOURCE_REFERRING_DOMAINS].tolist() == [4100.0, 2.0]
    assert frame[BL.DOMAIN_TRAFFIC].iloc[0] == 3.4e9
    assert frame[BL.AHREFS_IS_SPAM].tolist() == [False, True]


# ---------------------------------------------------------------- Semrush

def test_semrush_booleans_dates_and_link_types():
    text = ("Page ascore,Source title,Source url,Target url,Anchor,External links,Internal links,"
            "Nofollow,Sponsored,Ugc,Text,Frame,Form,Image,Sitewide,First seen,Last seen,New link,Lost link\n"
            "41,T,https://a.example.com/x,https://velora-bikes.com/,best electric bikes,\"1,240\",7,"
            "FALSE,FALSE,FALSE,TRUE,FALSE,FALSE,FALSE,TRUE,\"Sep 15, 2026\",\"Sep 20, 2026\",FALSE,TRUE\n"
            "12,T2,https://b.example.org/y,https://velora-bikes.com/,,3,1,"
            "true,false,true,false,false,false,true,false,2026-01-02,2026-02-03,true,false\n")
    result = _read(text)
    frame = result.frame
    assert result.formats == ("semrush_backlinks",)
    assert frame[BL.PAGE_AUTHORITY].tolist() == [41.0, 12.0]
    assert frame[BL.EXTERNAL_LINKS].tolist() == [1240.0, 3.0]
    assert frame[BL.NOFOLLOW].tolist() == [False, True]
    assert frame[BL.UGC].tolist() == [False, True]
    assert frame[BL.SITEWIDE].tolist() == [True, False]
    assert frame[BL.LINK_TYPE].tolist() == ["text", "image"]
    assert frame[BL.FIRST_SEEN].tolist() == [_utc("2026-09-15"), _utc("2026-01-02")]
    assert frame[BL.LOST_STATUS].iloc[0] == "lost" and pd.isna(frame[BL.LOST_STATUS].iloc[1])
    assert pd.isna(frame[BL.ANCHOR].iloc[1])


def test_semrush_backlink_audit_toxicity():
    text = ("Source url,Source title,Target url,Anchor,Toxicity Score,Toxic markers\n"
            "https://x.example.net/a,A,https://velora-bikes.com/,cheap viagra,95,\"Pharma, Toxic\"\n"
            "https://y.example.net/b,B,https://velora-bikes.com/,Velora,,\n")
    frame = _read(text).frame
    assert frame[BL.SEMRUSH_TOXICITY].iloc[0] == 95.0
    assert math.isnan(frame[BL.SEMRUSH_TOXICITY].iloc[1])
    assert set(frame[BL.FORMAT]) == {"semrush_backlink_audit"}


# ---------------------------------------------------------------- Majestic and Moz

def test_majestic_flags_empty_is_unset_marker_is_set():
    text = ("Target URL,Source URL,Anchor Text,Source Crawl Date,Source First Found Date,"
            "FlagNoFollow,FlagImageLink,FlagRedirect,FlagFrame,FlagAltText,FlagMention,"
            "SourceCitationFlow,SourceTrustFlow\n"
            "https://velora-bikes.com/,https://a.example.com/,Velora,2026-04-01,2025-01-10,,,,,,,30,27\n"
            "https://velora-bikes.com/,https://b.example.com/,x,2026-04-01,2025-01-10,+,,,,,,12,1\n"
            "https://velora-bikes.com/,https://c.example.com/,,2026-04-01,2025-01-10,,Y,,,alt,,40,35\n"
            "https://velora-bikes.com/,https://d.example.com/,r,2026-04-01,2025-01-10,,,1,,,,5,2\n")
    frame = _read(text).frame
    assert frame[BL.NOFOLLOW].tolist() == [False, True, False, False]
    assert frame[BL.LINK_TYPE].tolist() == ["text", "text", "image", "redirect"]
    assert frame[BL.TRUST_FLOW].tolist() == [27.0, 1.0, 35.0, 2.0]
    assert frame[BL.CITATION_FLOW].tolist() == [30.0, 12.0, 40.0, 5.0]
    assert frame[BL.LAST_SEEN].iloc[0] == _utc("2026-04-01")
    assert frame[BL.FIRST_SEEN].iloc[0] == _utc("2025-01-10")


def test_majestic_api_variant():
    text = ("SourceURL,ACRank,AnchorText,Date,FlagRedirect,FlagFrame,FlagNoFollow,FlagImages,"
            "FlagDeleted,FlagAltText,FlagMention,TargetURL,DomainID,FirstIndexedDate,LastSeenDate,"
            "DateLost,ReasonLost,LinkType\n"
            "https://a.example.com/,3,Velora,2026-04-01,0,0,1,0,1,0,0,https://velora-bikes.com/,1,"
            "2025-01-01,2026-04-01,2026-04-05,,TextLink\n"
            "https://b.example.com/,1,,2026-04-01,0,0,0,1,0,0,0,https://velora-bikes.com/,2,"
            "2025-01-01,2026-04-01,,,ImgLink\n")
    frame = _read(text).frame
    assert set(frame[BL.FORMAT]) == {"majestic_api"}
    assert frame[BL.NOFOLLOW].tolist() == [True, False]
    assert frame[BL.LINK_TYPE].tolist() == ["text", "image"]
    assert frame[BL.LOST_AT].iloc[0] == _utc("2026-04-05") and pd.isna(frame[BL.LOST_AT].iloc[1])
    assert frame[BL.LOST_STATUS].iloc[0] == "deleted"


def test_moz_preamble_rel_columns_and_percent():
    text = ("Link Explorer export\nInbound Links for velora-bikes.com\n\n"
            "URL,Title,Anchor Text,Spam Score,Page Authority,Domain Authority,Target URL,"
            "Only rel=nofollow,Only follow,301\n"
            "https://a.example.com/p,A,Velora,1%,30,40,https://velora-bikes.com/,No,Yes,No\n"
            "https://b.example.com/p,B,cheap,60%,5,9,https://velora-bikes.com/,Yes,No,No\n"
            "https://c.example.com/p,C,mixed,,5,9,https://velora-bikes.com/,No,No,Yes\n")
    result = _read(text)
    frame = result.frame
    assert result.parts[0].header_line == 4
    assert frame[BL.SOURCE_LINE].tolist() == [5, 6, 7]
    assert frame[BL.NOFOLLOW].tolist()[:2] == [False, True]
    assert pd.isna(frame[BL.NOFOLLOW].iloc[2])  # mixed follow and nofollow: unknown
    assert frame[BL.MOZ_SPAM_SCORE].iloc[:2].tolist() == [1.0, 60.0]
    assert math.isnan(frame[BL.MOZ_SPAM_SCORE].iloc[2])
    assert frame[BL.LINK_TYPE].iloc[2] == "redirect"


# ---------------------------------------------------------------- GSC, Bing

def test_gsc_latest_links_day_first_and_month_name_dates():
    text = ("Linking page,Last crawled\n"
            "https://a.example.com/,15/09/2026\n"
            "https://b.example.com/,\"Sep 15, 2026\"\n"
            "https://c.example.com/,2026-09-15\n")
    frame = _read(text).frame
    assert frame[BL.LAST_SEEN].tolist() == [_utc("2026-09-15")] * 3
    assert frame[BL.TARGET_URL].isna().all()
    assert set(frame[BL.TOOL]) == {"gsc"}


def test_gsc_top_linking_sites_counts_with_separators():
    frame = _read('Site,Linking pages,Target pages\nriverton-gazette.com,"1,240",3\n').frame
    assert frame[BL.SOURCE_URL].tolist() == ["riverton-gazette.com"]
    assert set(frame[BL.FORMAT]) == {"gsc_top_linking_sites"}


def test_bing_bom_and_quoted_fields():
    raw = '\ufeff"Source Url","Anchor text","Target Url"\r\n"https://a.example.com/","a, b","https://velora-bikes.com/"\r\n'
    result = read_export(raw.encode("utf-8"), name="bing.csv")
    assert result.formats == ("bing_backlinks",)
    assert result.parts[0].encoding == "utf-8-sig"
    assert result.frame[BL.ANCHOR].tolist() == ["a, b"]


# ---------------------------------------------------------------- lists and disavow files

def test_plain_list_with_header_and_mixed_entries():
    result = _read("URL\nhttps://a.example.com/x\nb.example.org\n\nhttp://[2001:db8::1]/p\n",
                   name="list.txt")
    frame = result.frame
    assert result.formats == ("plain_list",)
    assert result.parts[0].header_line == 1
    assert frame[BL.SOURCE_URL].tolist() == ["https://a.example.com/x", "b.example.org",
                                             "http://[2001:db8::1]/p"]
    assert frame[BL.DOMAIN].tolist() == ["example.com", "example.org", "2001:db8::1"]
    assert frame[BL.SOURCE_LINE].tolist() == [2, 3, 5]
    assert set(frame[BL.TOOL]) == {"list"}


def test_plain_list_without_header(fixtures_dir):
    result = read_export(fixtures_dir / "exports" / "plain_list_no_header.txt")
    assert result.parts[0].header_line is None
    assert result.frame[BL.SOURCE_LINE].tolist() == [1, 2, 3]
    assert result.frame[BL.DOMAIN].tolist() == ["cycling-tips-hub.top", "greenride-weekly.site",
                                                "bikeblog-network.online"]


def test_disavow_file_entries_comments_and_bad_line(fixtures_dir):
    result = read_export(fixtures_dir / "exports" / "disavow_with_error.txt")
    frame = result.frame
    assert result.formats == ("disavow",)
    assert set(frame[BL.TOOL]) == {"disavow"}
    assert frame[BL.SOURCE_URL].tolist() == [
        "cheap-meds-rx24.biz", "viagra-online-pharma.top",
        "https://oldtown-bakery-shop.com/wp-content/uploads/slot.html", "xn--bcher-spam-9db.de"]
    assert frame[BL.SOURCE_LINE].tolist() == [2, 3, 5, 7]
    assert [(p.line, p.dropped) for p in result.problems] == [(6, True)]
    assert "this line is not valid" in result.problems[0].message
