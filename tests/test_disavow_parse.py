"""Reading disavow files tolerantly: good lines kept, bad lines reported by line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.errors import DisavowError
from detector.disavow import DisavowEntry, parse_disavow


@pytest.mark.parametrize("line", [
    "domain:example.com", "domain: example.com", "Domain:example.com", "DOMAIN : Example.COM",
    "  domain:example.com.  ", "domain:\texample.com",
])
def test_domain_entry_spellings_are_accepted(line):
    parsed = parse_disavow(f"# c\n{line}\n")
    assert parsed.entries == (DisavowEntry("domain", "example.com"),)
    assert parsed.problems == ()


def test_idns_become_punycode_in_domains_and_url_hosts():
    parsed = parse_disavow("domain:bücher.de\nhttps://ПРИМЕР.рф/страница?q=Ä\n")
    assert parsed.domains == ("xn--bcher-kva.de",)
    assert parsed.urls == ("https://xn--e1afmkfd.xn--p1ai/страница?q=Ä",)


def test_bom_and_crlf_are_tolerated_and_line_numbers_stay_physical():
    data = "\ufeff# head\r\n\r\ndomain:a.com\r\n*.bad.com\r\nhttp://b.org/x\r\n".encode("utf-8")
    parsed = parse_disavow(data)
    assert [e.text for e in parsed.entries] == ["domain:a.com", "http://b.org/x"]
    assert [e.line for e in parsed.entries] == [3, 5]
    assert [(p.line, p.rule) for p in parsed.problems] == [(4, "wildcard")]
    assert parsed.header == ("head",)


@pytest.mark.parametrize("line, rule", [
    ("*.spam.com", "wildcard"),
    ("domain:*.spam.com", "wildcard"),
    ("http://*.spam.com/page", "wildcard"),
    ("domain:spam.com/page", "domain_with_path"),
    ("domain:http://spam.com", "domain_with_path"),
    ("domain:blogspot.com", "public_suffix"),
    ("domain:github.io", "public_suffix"),
    ("domain:co.uk", "public_suffix"),
    ("domain:com", "public_suffix"),
    ("domain:", "empty_domain"),
    ("domain:spam.com:8080", "invalid_domain"),
    ("domain:spam.com # paid links", "invalid_domain"),
    ("domain:localhost", "invalid_domain"),
    ("spam.com", "not_an_entry"),
    ("ftp://spam.com/file", "not_an_entry"),
    ("www.spam.com/page", "not_an_entry"),
    ("http://spam.com/" + "a" * 2040, "url_too_long"),
    ("http:///nohost", "invalid_url"),
    ("http://spam.com/a b", "invalid_url"),
])
def test_lines_google_would_reject_are_reported_and_good_lines_kept(line, rule):
    parsed = parse_disavow(f"domain:good.com\n{line}\nhttp://good.org/p\n", source_name="d.txt")
    assert parsed.entries == (DisavowEntry("domain", "good.com"),
                              DisavowEntry("url", "http://good.org/p"))
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert (problem.line, problem.rule, problem.severity) == (2, rule, "error")
    assert str(problem).startswith("d.txt:2: error [" + rule + "]")


def test_url_of_exactly_2048_characters_is_fine():
    url = "http://spam.com/" + "a" * (2048 - len("http://spam.com/"))
    assert parse_disavow(url + "\n").urls == (url,)


def test_shared_platform_hosts_are_valid_entries():
    parsed = parse_disavow("domain:spam.blogspot.com\ndomain:x.github.io\n")
    assert parsed.domains == ("spam.blogspot.com", "x.github.io")
    assert parsed.problems == ()


@pytest.mark.parametrize("line, suggestion", [
    ("spam.com", "domain:spam.com"),
    ("*.spam.com", "domain:spam.com"),
    ("domain:https://www.spam.com/x", "domain:www.spam.com"),
    ("domain:spam.com # comment", "domain:spam.com"),
])
def test_problems_suggest_the_obvious_fix(line, suggestion):
    assert parse_disavow(line + "\n").problems[0].suggestion == suggestion


def test_comments_become_header_entry_comments_and_footer():
    text = ("# file for example.com\n# since 2021\n\n# attack of May\n\ndomain:a.com\n"
            "domain:b.com\n\n# pharma\n# two lines\nhttp://c.org/x\n#\n# end\n")
    parsed = parse_disavow(text)
    assert parsed.header == ("file for example.com", "since 2021")
    assert [e.comment for e in parsed.entries] == ["attack of May", None, "pharma\ntwo lines"]
    assert parsed.footer == ("end",)


def test_comment_block_directly_above_first_entry_is_its_comment_not_the_header():
    parsed = parse_disavow("# spam network\ndomain:a.com\n")
    assert parsed.header == ()
    assert parsed.entries[0].comment == "spam network"


def test_duplicates_are_kept_once_and_reported_as_warnings():
    parsed = parse_disavow("domain:a.com\ndomain:A.com\nhttp://b.org/\nhttp://B.ORG/\n")
    assert parsed.entries == (DisavowEntry("domain", "a.com"), DisavowEntry("url", "http://b.org/"))
    assert [(p.line, p.rule, p.severity) for p in parsed.problems] == [
        (2, "duplicate", "warning"), (4, "duplicate", "warning")]
    assert parsed.errors == ()


def test_non_utf8_bytes_are_reported_at_their_line_and_the_rest_is_read():
    data = b"domain:a.com\n# caf\xe9\ndomain:b.com\n"
    parsed = parse_disavow(data)
    assert parsed.domains == ("a.com", "b.com")
    assert [(p.line, p.rule) for p in parsed.problems] == [(2, "not_utf8")]


def test_utf16_files_are_read_but_reported():
    data = "domain:a.com\r\nhttp://b.org/x\r\n".encode("utf-16")
    parsed = parse_disavow(data)
    assert parsed.domains == ("a.com",) and parsed.urls == ("http://b.org/x",)
    assert [p.rule for p in parsed.problems] == ["not_utf8"]


def test_reads_paths_given_as_path_or_single_line_string(tmp_path: Path):
    path = tmp_path / "disavow.txt"
    path.write_bytes(b"domain:a.com\r\nhttp://b.org/x\r\n")
    for source in (path, str(path)):
        parsed = parse_disavow(source)
        assert parsed.domains == ("a.com",)
        assert parsed.source == str(path)


def test_a_single_line_string_that_is_no_file_is_content():
    assert parse_disavow("domain:a.com").domains == ("a.com",)


def test_unreadable_path_names_the_file(tmp_path: Path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(DisavowError, match="nope.txt"):
        parse_disavow(missing)


def test_empty_input_gives_an_empty_file():
    parsed = parse_disavow(b"")
    assert parsed.entries == () and parsed.problems == ()
