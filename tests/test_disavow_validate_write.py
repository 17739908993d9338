"""Validation before writing, and atomic writes."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest

import detector.disavow.allowlist
import detector.disavow.header
import detector.disavow.model
import detector.disavow.parse
import detector.disavow.render
import detector.disavow.validate
from detector.errors import DisavowError, DisavowValidationError
from detector.disavow import (
    MAX_BYTES,
    MAX_LINES,
    DisavowEntry,
    DisavowFile,
    validate_disavow,
    write_disavow,
)


def _rules(content, **kw):
    return [(p.line, p.rule) for p in validate_disavow(content, raise_errors=False, **kw)
            if p.severity == "error"]


def test_a_clean_file_has_no_problems():
    assert validate_disavow("# c\n\ndomain:a.com\nhttps://b.org/x\n") == []


def test_every_bad_line_is_named_with_its_rule():
    text = "domain:a.com\ndomain:*.b.com\nhello\ndomain:blogspot.com\nhttp://c.com/" + \
        "x" * 2048 + "\ndomain:d.com/path\n"
    assert _rules(text) == [(2, "wildcard"), (3, "not_an_entry"), (4, "public_suffix"),
                            (5, "url_too_long"), (6, "domain_with_path")]
    with pytest.raises(DisavowValidationError) as caught:
        validate_disavow(text, source="out.txt")
    assert [p.line for p in caught.value.problems] == [2, 3, 4, 5, 6]
    assert "out.txt:2" in str(caught.value)


def test_line_limit_counts_comments_and_blank_lines():
    ok = "domain:a.com\n" + "#\n" * (MAX_LINES - 2) + "\n"
    assert _rules(ok) == []
    assert _rules(ok + "\n") == [(MAX_LINES + 1, "too_many_lines")]


def test_size_limit():
    line = "# " + "x" * 97 + "\n"  # 100 bytes
    body = "domain:a.com\n" + line * ((MAX_BYTES - 13) // 100)
    assert len(body.encode()) <= MAX_BYTES and _rules(body) == []
    assert _rules(body + line) == [(None, "file_too_large")]


def test_bytes_must_be_utf8():
    assert _rules(b"domain:a.com\n# \xff\n") == [(2, "not_utf8")]
    assert _rules("domain:a.com\n# é\n".encode("utf-8")) == []


def test_warnings_do_not_invalidate():
    problems = validate_disavow("\ufeff# only a comment\n".encode("utf-8"))
    assert sorted(p.rule for p in problems) == ["bom", "no_entries"]
    assert all(p.severity == "warning" for p in problems)


def test_non_canonical_spellings_are_warnings_with_the_canonical_line():
    problems = validate_disavow("Domain: Bücher.de\nHTTP://A.com/X\ndomain:ok.com\n")
    assert [(p.line, p.rule, p.severity, p.suggestion) for p in problems] == [
        (1, "not_canonical", "warning", "domain:xn--bcher-kva.de"),
        (2, "not_canonical", "warning", "http://a.com/X")]


def test_disavow_files_are_validated_as_rendered():
    bad = DisavowFile((DisavowEntry("domain", "github.io"), DisavowEntry("domain", "a.com")))
    assert _rules(bad) == [(1, "public_suffix")]


def test_write_is_utf8_with_lf_and_reads_back(tmp_path: Path):
    content = DisavowFile((DisavowEntry("domain", "bücher.de", "Grüße\nzwei"),
                           DisavowEntry("url", "http://a.com/é")), header=("h",))
    target = write_disavow(content, tmp_path / "disavow.txt")
    data = target.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8") == "# h\n\n# Grüße\n# zwei\ndomain:xn--bcher-kva.de\nhttp://a.com/é\n"
    assert os.listdir(tmp_path) == ["disavow.txt"]


def test_text_with_crlf_is_written_with_lf(tmp_path: Path):
    target = write_disavow("domain:a.com\r\ndomain:b.com", tmp_path / "d.TXT")
    assert target.read_bytes() == b"domain:a.com\ndomain:b.com\n"


def test_invalid_content_raises_and_leaves_the_old_file_alone(tmp_path: Path):
    target = tmp_path / "disavow.txt"
    target.write_text("domain:old.com\n", encoding="utf-8")
    with pytest.raises(DisavowValidationError) as caught:
        write_disavow("domain:old.com\ndomain:*.x.com\n", target)
    assert caught.value.problems[0].line == 2
    assert target.read_text(encoding="utf-8") == "domain:old.com\n"
    assert os.listdir(tmp_path) == ["disavow.txt"]


@pytest.mark.parametrize("name", ["disavow.csv", "disavow", "disavow.txt.bak", ".txt"])
def test_file_name_must_end_in_txt(tmp_path: Path, name: str):
    with pytest.raises(DisavowError, match=r"\.txt"):
        write_disavow("domain:a.com\n", tmp_path / name)
    assert os.listdir(tmp_path) == []


def test_a_failed_replace_keeps_the_old_file_and_cleans_up(tmp_path: Path, monkeypatch):
    target = tmp_path / "disavow.txt"
    target.write_text("domain:old.com\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(DisavowError, match="No space left"):
        write_disavow("domain:new.com\n", target)
    assert target.read_text(encoding="utf-8") == "domain:old.com\n"
    assert os.listdir(tmp_path) == ["disavow.txt"]


def test_missing_directory_is_a_disavow_error(tmp_path: Path):
    with pytest.raises(DisavowError, match="cannot write"):
        write_disavow("domain:a.com\n", tmp_path / "no" / "disavow.txt")


@pytest.mark.parametrize("module", [
    detector.disavow.model, detector.disavow.parse, detector.disavow.render,
    detector.disavow.validate, detector.disavow.header, detector.disavow.allowlist,
])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
