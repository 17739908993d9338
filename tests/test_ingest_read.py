"""Reader behaviour: encodings, line numbers, malformed rows, errors, several files."""

from __future__ import annotations

import codecs
import io

import pandas as pd
import pytest

from detector.errors import EmptyInputError, InputError, MalformedRowsError, UnrecognisedFormatError
from detector.ingest import read_export, read_exports
from detector.schema import BACKLINK_DTYPES, BL

BING = '"Source Url","Anchor text","Target Url"\r\n'


def _bing_rows(n: int, start: int = 0) -> str:
    return "".join(f'"https://site{i % 50}.example.com/p{i}","anchor {i}","https://velora-bikes.com/"\r\n'
                   for i in range(start, start + n))


# ---------------------------------------------------------------- encodings and delimiters

def test_utf16_be_with_bom_tab_separated():
    text = "Referring page URL\tTarget URL\tAnchor\nhttps://a.example.com/\thttps://velora-bikes.com/\tVélora\n"
    result = read_export(codecs.BOM_UTF16_BE + text.encode("utf-16-be"), name="ahrefs.csv")
    assert result.parts[0].encoding == "utf-16-be"
    assert result.parts[0].delimiter == "\t"
    assert result.frame[BL.ANCHOR].tolist() == ["Vélora"]


def test_utf16_le_without_bom_is_detected():
    text = "Linking page\r\nhttps://a.example.com/x\r\n"
    result = read_export(text.encode("utf-16-le"), name="gsc.csv")
    assert result.parts[0].encoding == "utf-16-le"
    assert result.frame[BL.SOURCE_URL].tolist() == ["https://a.example.com/x"]


def test_cp1252_fallback_in_the_header_sample():
    text = "Source Url;Anchor text;Target Url\nhttps://a.example.com/;Vélo électrique – prix;https://velora-bikes.com/\n"
    result = read_export(text.encode("cp1252"), name="bing.csv")
    assert result.parts[0].encoding == "cp1252"
    assert result.parts[0].delimiter == ";"
    assert result.frame[BL.ANCHOR].tolist() == ["Vélo électrique – prix"]


def test_cp1252_byte_after_a_long_utf8_looking_start_is_recovered():
    body = _bing_rows(6000)  # > 256 KiB of ASCII before the cp1252 byte
    text = BING + body + '"https://z.example.com/","caf\xe9","https://velora-bikes.com/"\r\n'
    assert len(BING + body) > 1 << 18
    result = read_export(text.encode("cp1252"), name="big.csv")
    assert result.parts[0].encoding == "cp1252"
    assert len(result.frame) == 6001
    assert result.frame[BL.ANCHOR].iloc[-1] == "café"


def test_semicolon_delimiter_and_crlf():
    text = "Linking page;Last crawled\r\nhttps://a.example.com/;2026-09-15\r\n"
    result = read_export(text.encode(), name="x.csv")
    assert result.parts[0].delimiter == ";"
    assert result.frame[BL.LAST_SEEN].iloc[0] == pd.Timestamp("2026-09-15", tz="UTC")


# ---------------------------------------------------------------- inputs

def test_bytes_and_file_object_inputs_name_the_rows(handmade_dir):
    data = (handmade_dir / "bing_backlinks.csv").read_bytes()
    from_bytes = read_export(data, name="upload.csv")
    handle = io.BytesIO(data)
    handle.name = "streamlit-upload.csv"
    from_handle = read_export(handle)
    assert set(from_bytes.frame[BL.SOURCE_FILE]) == {"upload.csv"}
    assert set(from_handle.frame[BL.SOURCE_FILE]) == {"streamlit-upload.csv"}
    assert len(from_bytes.frame) == len(from_handle.frame) > 0
    assert read_export(data).source == "<bytes>"


# ---------------------------------------------------------------- line numbers and bad rows

def test_majestic_invalid_rows_are_reported_with_lines_and_others_kept(fixtures_dir):
    path = fixtures_dir / "exports" / "majestic_invalid_rows.csv"
    result = read_export(path)
    assert [p.line for p in result.problems] == [4, 6]
    assert all(p.dropped and p.file == str(path) for p in result.problems)
    assert "expected 14 fields" in result.problems[0].message and "found 15" in result.problems[0].message
    assert result.frame[BL.SOURCE_LINE].tolist() == [2, 3, 5, 7]
    assert result.dropped_rows == 2
    assert result.frame[BL.ANCHOR].iloc[1] == "daftar slot, gacor"
    with pytest.raises(MalformedRowsError) as info:
        read_export(path, strict=True)
    assert [p.line for p in info.value.problems] == [4, 6]
    assert "line 4" in str(info.value) and str(path) in str(info.value)


def test_invalid_rows_in_a_large_file_keep_exact_line_numbers():
    body = _bing_rows(20000)
    lines = body.splitlines(keepends=True)
    lines[9999] = '"https://bad.example.com/","too","many","fields"\r\n'  # physical line 10001
    result = read_export((BING + "".join(lines)).encode(), name="big.csv")
    assert [p.line for p in result.problems] == [10001]
    frame = result.frame
    assert len(frame) == 19999
    assert 10001 not in set(frame[BL.SOURCE_LINE])
    row = frame[frame[BL.SOURCE_LINE] == 10002].iloc[0]
    assert row[BL.ANCHOR] == "anchor 10000"


def test_quoted_newlines_and_blank_lines_give_physical_lines(fixtures_dir):
    result = read_export(fixtures_dir / "exports" / "bing_multiline_and_blank.csv")
    assert result.frame[BL.SOURCE_LINE].tolist() == [2, 4, 7]
    assert result.frame[BL.ANCHOR].iloc[0].splitlines() == ["Velora", "City 2 review"]
    (problem,) = result.problems
    assert problem.line == 6 and problem.column == "Source Url" and "no host" in problem.message


def test_fast_path_and_exact_path_read_identical_values():
    body = _bing_rows(3000)
    fast = read_export((BING + body).encode(), name="a.csv").frame
    with_blank = BING + body.replace('"anchor 1500"', '"anchor\r\n1500"')  # forces the exact path
    exact = read_export(with_blank.encode(), name="a.csv").frame
    assert fast[BL.SOURCE_LINE].iloc[-1] == 3001 and exact[BL.SOURCE_LINE].iloc[-1] == 3002
    compare = [c for c in fast.columns if c not in (BL.ANCHOR, BL.SOURCE_LINE)]
    pd.testing.assert_frame_equal(fast[compare], exact[compare])


def test_unparseable_date_in_required_column_is_reported_not_dropped():
    text = "Linking page,Last crawled\nhttps://a.example.com/,yesterday\nhttps://b.example.com/,2026-01-02\n"
    result = read_export(text.encode(), name="gsc.csv")
    assert len(result.frame) == 2
    assert pd.isna(result.frame[BL.LAST_SEEN].iloc[0])
    (problem,) = result.problems
    assert (problem.line, problem.column, problem.dropped) == (2, "Last crawled", False)
    assert "expected a date" in problem.message and "yesterday" in problem.message
    with pytest.raises(MalformedRowsError):
        read_export(text.encode(), name="gsc.csv", strict=True)


def test_unparseable_optional_values_become_na_and_are_counted():
    text = ("Referring page URL,Target URL,Domain rating,Nofollow,First seen\n"
            "https://a.example.com/,https://velora-bikes.com/,n/a,maybe,not a date\n"
            "https://b.example.com/,https://velora-bikes.com/,12,true,2026-01-01\n")
    result = read_export(text.encode(), name="a.csv")
    assert result.unparsed_values == {BL.DOMAIN_AUTHORITY: 1, BL.NOFOLLOW: 1, BL.FIRST_SEEN: 1}
    assert result.problems == []
    first = result.frame.iloc[0]
    assert pd.isna(first[BL.DOMAIN_AUTHORITY]) and pd.isna(first[BL.NOFOLLOW]) and pd.isna(first[BL.FIRST_SEEN])


# ---------------------------------------------------------------- unreadable inputs

def test_unrecognised_header_message_names_file_header_and_closest_format(fixtures_dir):
    path = fixtures_dir / "exports" / "unrecognised_rank_tracker.csv"
    with pytest.raises(UnrecognisedFormatError) as info:
        read_export(path)
    message = str(info.value)
    assert str(path) in message
    assert "'Keyword', 'Position', 'Search Volume', 'URL'" in message
    assert "moz_links" in message and "Target URL" in message and "Domain Authority" in message


def test_unrecognised_semrush_like_header_names_the_missing_column():
    with pytest.raises(UnrecognisedFormatError) as info:
        read_export(b"Source url,Target url,Anchor,Foo\nhttps://a.example.com/,https://b.example.com/,x,1\n",
                    name="semrushish.csv")
    assert "semrushish.csv" in str(info.value)
    assert "missing required column(s)" in str(info.value)


@pytest.mark.parametrize("name", ["empty.csv", "bing_header_only.csv"])
def test_empty_and_header_only_files(fixtures_dir, name):
    path = fixtures_dir / "exports" / name
    with pytest.raises(EmptyInputError) as info:
        read_export(path)
    assert str(path) in str(info.value)


def test_whitespace_only_bytes_are_empty():
    with pytest.raises(EmptyInputError, match="blank.csv"):
        read_export(b" \r\n\n", name="blank.csv")


def test_legacy_xls_is_refused_with_advice():
    with pytest.raises(UnrecognisedFormatError, match="xlsx or CSV"):
        read_export(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="old.xls")


# ---------------------------------------------------------------- several files

def test_read_exports_removes_duplicates_across_files_and_counts_them():
    a = BING + _bing_rows(10)
    b = BING + _bing_rows(5, start=5) + _bing_rows(3, start=100)
    seen = []
    report = read_exports([("a.csv", a.encode()), ("b.csv", b.encode())],
                          progress=lambda done, total, name: seen.append((done, total, name)))
    assert report.duplicates_removed == 5
    assert report.rows_read == 18
    assert len(report.frame) == 13
    assert not report.frame.duplicated(subset=[BL.SOURCE_URL, BL.TARGET_URL, BL.ANCHOR]).any()
    assert set(report.frame[BL.SOURCE_FILE]) == {"a.csv", "b.csv"}
    assert (report.frame[report.frame[BL.SOURCE_FILE] == "b.csv"][BL.ANCHOR]
            .str.replace("anchor ", "").astype(int) >= 100).all()
    assert [r.rows for r in report.results] == [10, 8]
    assert all(len(r.frame) == 0 for r in report.results)
    assert seen == [(1, 2, "a.csv"), (2, 2, "b.csv")]
    assert {c: report.frame[c].dtype for c in report.frame.columns} == BACKLINK_DTYPES


def test_read_exports_keeps_readable_files_when_one_fails(fixtures_dir, handmade_dir):
    report = read_exports([fixtures_dir / "exports" / "unrecognised_rank_tracker.csv",
                           handmade_dir / "moz_links.csv",
                           fixtures_dir / "exports" / "does_not_exist.csv"])
    assert len(report.results) == 1 and len(report.frame) > 0
    assert [type(e.error) for e in report.errors] == [UnrecognisedFormatError, FileNotFoundError]
    assert "unrecognised_rank_tracker.csv" in str(report.errors[0])


def test_read_exports_raises_when_nothing_is_readable(fixtures_dir):
    with pytest.raises(UnrecognisedFormatError):
        read_exports([fixtures_dir / "exports" / "unrecognised_rank_tracker.csv"])
    with pytest.raises(InputError, match="no export could be read"):
        read_exports([fixtures_dir / "exports" / "empty.csv",
                      fixtures_dir / "exports" / "bing_header_only.csv"])


def test_read_exports_strict_raises_on_the_first_problem(fixtures_dir, handmade_dir):
    with pytest.raises(MalformedRowsError):
        read_exports([handmade_dir / "moz_links.csv", fixtures_dir / "exports" / "majestic_invalid_rows.csv"],
                     strict=True)
    with pytest.raises(UnrecognisedFormatError):
        read_exports([fixtures_dir / "exports" / "unrecognised_rank_tracker.csv",
                      handmade_dir / "moz_links.csv"], strict=True)


def test_trailing_delimiter_on_data_rows_only_is_tolerated():
    text = "Linking page,Last crawled\nhttps://a.example.com/,2026-01-01,\nhttps://b.example.com/,2026-01-02,\n"
    result = read_export(text.encode(), name="gsc.csv")
    assert result.problems == []
    assert result.frame[BL.SOURCE_LINE].tolist() == [2, 3]


def test_zip_without_any_recognised_member_names_them(tmp_path):
    import zipfile

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Top linked pages.csv", "Target page,Incoming links\nhttps://velora-bikes.com/,3\n")
        archive.writestr("notes.txt", "")
    with pytest.raises(UnrecognisedFormatError) as info:
        read_export(path)
    assert "export.zip!Top linked pages.csv" in str(info.value)
    assert "export.zip!notes.txt" in str(info.value)
