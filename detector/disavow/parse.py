"""Read disavow files tolerantly, and say which lines Google would reject.

Real disavow files are hand-edited for years: ``Domain: x`` with a space or capitals,
Unicode IDNs, a BOM from Notepad, CRLF line ends, bare hosts without ``domain:``,
``domain:`` entries with a path or a wildcard, ``domain:blogspot.com``. Reading keeps
every good line and reports each bad one as a :class:`DisavowProblem` with its line
number and, when obvious, the corrected line. Bad lines are left out of ``entries``.

Comments are kept: the comment block at the top of the file followed by a blank line is
the file ``header``; any other comment block belongs to the entry below it (its
``comment``); comments after the last entry are the ``footer``. Comments directly above
a rejected line are dropped with it (they described that line).

>>> f = parse_disavow("# my site\\n\\n# spam\\nDomain: Spam.com\\r\\nhttp://x.org/a\\n*.bad.net\\n")
>>> [e.text for e in f.entries], f.header, f.entries[0].comment
(['domain:spam.com', 'http://x.org/a'], ('my site',), 'spam')
>>> [(p.line, p.rule) for p in f.problems]
[(6, 'wildcard')]
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from detector.disavow.model import (
    MAX_URL_CHARS,
    DisavowEntry,
    DisavowFile,
    DisavowProblem,
    normalise_host,
    normalise_url,
)
from detector.errors import DisavowError
from detector.keys import host_of, is_ip, is_public_suffix

__all__ = ["parse_disavow", "parse_text", "classify_line", "decode_disavow", "read_source"]

_DOMAIN_PREFIX = re.compile(r"^domain\s*:\s*", re.IGNORECASE)
_URL_PREFIX = re.compile(r"^https?://", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST_CHARS = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
_SHOWN = 120


def read_source(source: "str | bytes | os.PathLike[str]") -> tuple[bytes | str, str | None]:
    """The content of ``source`` and the file name, if it was a file.

    A ``Path`` (any ``os.PathLike``) is read from disk. ``bytes`` are content. A ``str``
    is content, except a single line naming an existing file, which is read (so
    ``parse_disavow("disavow.txt")`` does what it says).
    """
    if isinstance(source, bytes):
        return source, None
    if isinstance(source, str) and ("\n" in source or not os.path.isfile(source)):
        return source, None
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise DisavowError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc


def decode_disavow(data: bytes | str, source: str | None = None) -> tuple[str, list[DisavowProblem]]:
    """Text of a disavow file with BOM removed and line ends made ``\\n``, plus problems.

    UTF-8 (with or without BOM) is expected. UTF-16 with a BOM is read but reported;
    other bytes that are not UTF-8 are read as Latin-1 and reported at the first bad line.
    """
    problems: list[DisavowProblem] = []
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
            problems.append(DisavowProblem(
                None, "not_utf8", "the file is UTF-16; Google accepts only UTF-8 or ASCII",
                source=source))
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                problems.append(DisavowProblem(
                    line, "not_utf8",
                    f"byte {exc.start} is not UTF-8; Google accepts only UTF-8 or ASCII "
                    "(the file was read as Latin-1)", source=source))
                text = data.decode("latin-1")
    else:
        text = data
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems


@lru_cache(maxsize=1 << 17)
def domain_problem(value: str) -> tuple[str, str, str | None] | None:
    """(rule, message, suggestion) when ``value`` cannot follow ``domain:``, else None.

    Memoised: building, merging and validating a large file ask about the same domains.
    """
    if not value:
        return "empty_domain", "'domain:' has no domain after it", None
    if "*" in value:
        fixed = value.replace("*.", "").replace("*", "")
        suggestion = f"domain:{normalise_host(fixed)}" if fixed and _host_ok(fixed) else None
        return ("wildcard", "wildcards are not allowed; 'domain:example.com' already covers "
                "every subdomain", suggestion)
    if any(ch.isspace() for ch in value):
        first = value.split()[0]
        suggestion = f"domain:{normalise_host(first)}" if _host_ok(first) else None
        return ("invalid_domain", "a 'domain:' entry must be one domain with no spaces "
                "(comments go on their own line, starting with '#')", suggestion)
    if _ANY_SCHEME.match(value) or any(c in value for c in "/?#\\"):
        host = host_of(value)
        suggestion = f"domain:{host}" if host and _host_ok(host) else None
        return ("domain_with_path", "a 'domain:' entry takes a bare domain, without scheme "
                "or path; disavow a single page by its full URL instead", suggestion)
    host = normalise_host(value)
    if not _host_ok(value):
        return ("invalid_domain", f"{value!r} is not a domain name (port, user or "
                "characters a host cannot have)", None)
    if is_public_suffix(host):
        return ("public_suffix", f"'{host}' is a public suffix or shared platform; "
                "disavow the registrable domain or the full host (spam.blogspot.com), "
                "never the suffix", None)
    if "." not in host and not is_ip(host):
        return "invalid_domain", f"'{host}' has no dot: not a registrable domain", None
    return None


def _host_ok(value: str) -> bool:
    host = normalise_host(value)
    return bool(host) and (is_ip(host) or bool(_HOST_CHARS.match(host)))


def url_problem(value: str) -> tuple[str, str, str | None] | None:
    """(rule, message, suggestion) when ``value`` is not an acceptable URL line, else None."""
    if len(value) > MAX_URL_CHARS:
        return ("url_too_long", f"the URL has {len(value)} characters; Google accepts at "
                f"most {MAX_URL_CHARS}", None)
    if any(ch.isspace() for ch in value):
        return ("invalid_url", "a URL cannot contain spaces (percent-encode them as %20; "
                "comments go on their own line)", None)
    host = host_of(value)
    if not host:
        return "invalid_url", "the URL has no host", None
    if "*" in host or value.endswith("*"):
        return ("wildcard", "wildcards are not allowed in URLs; list each URL, or use "
                f"'domain:{host.replace('*.', '')}' for the whole site", None)
    if not (is_ip(host) or _HOST_CHARS.match(host)):
        return "invalid_url", f"'{host}' is not a valid host name", None
    return None


def classify_line(raw: str, line: int, source: str | None = None
                  ) -> DisavowEntry | DisavowProblem | str | None:
    """What one line of a disavow file is.

    Returns ``None`` for a blank line, the comment text (``str``, without ``#``) for a
    comment, a :class:`DisavowEntry` for a good entry, or a :class:`DisavowProblem` for a
    line Google would reject.

    >>> classify_line("domain: Example.com ", 3).text
    'domain:example.com'
    >>> classify_line("domain:blogspot.com", 4).rule
    'public_suffix'
    >>> classify_line("example.com", 5).suggestion
    'domain:example.com'
    """
    text = raw.strip()
    if not text:
        return None
    if text.startswith("#"):
        return text[1:].strip()
    shown = raw if len(raw) <= _SHOWN else raw[: _SHOWN - 1] + "…"

    def problem(rule: str, message: str, suggestion: str | None = None) -> DisavowProblem:
        return DisavowProblem(line, rule, message, shown, "error", suggestion, source)

    prefix = _DOMAIN_PREFIX.match(text)
    if prefix:
        value = text[prefix.end():].strip()
        broken = domain_problem(value)
        if broken:
            return problem(*broken)
        return DisavowEntry("domain", value, line=line)
    if _URL_PREFIX.match(text):
        broken = url_problem(text)
        if broken:
            return problem(*broken)
        return DisavowEntry("url", normalise_url(text), line=line)
    # neither comment, domain entry nor http(s) URL
    suggestion = None
    if not _ANY_SCHEME.match(text) and not any(c in text for c in "/?#\\ \t"):
        bare = text.lstrip("*.").strip()
        if bare and domain_problem(bare) is None:
            suggestion = f"domain:{normalise_host(bare)}"
    if "*" in text:
        return problem("wildcard", "wildcards are not allowed; 'domain:example.com' "
                       "covers every subdomain", suggestion)
    return problem("not_an_entry", "each line must be a comment ('# ...'), a "
                   "'domain:example.com' entry or a full http(s):// URL", suggestion)


def parse_disavow(source: "str | bytes | os.PathLike[str]", *,
                  source_name: str | None = None) -> DisavowFile:
    """Read a disavow file (path, text or bytes) into a :class:`DisavowFile`.

    Never raises for bad lines: they are left out of ``entries`` and listed in
    ``problems`` with their line numbers. Duplicate entries are kept once and reported as
    warnings. Raises :class:`DisavowError` only when a named file cannot be read.
    """
    data, file_name = read_source(source)
    name = source_name or file_name
    text, problems = decode_disavow(data, name)
    return parse_text(text, name, problems)


def parse_text(text: str, source: str | None = None,
               problems: list[DisavowProblem] | None = None) -> DisavowFile:
    """Parse decoded text (``\n`` line ends, no BOM); ``problems`` found so far come first."""
    name = source
    problems = list(problems or [])
    entries: list[DisavowEntry] = []
    seen: dict[DisavowEntry, int] = {}
    header: tuple[str, ...] = ()
    pending: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final line end does not start a line
    for number, raw in enumerate(lines, start=1):
        kind = classify_line(raw, number, name)
        if kind is None:  # blank line: ends a header block at the top
            if pending and not entries and not header:
                header, pending = tuple(pending), []
        elif isinstance(kind, str):
            pending.append(kind)
        elif isinstance(kind, DisavowProblem):
            problems.append(kind)
            pending = []
        elif kind in seen:
            problems.append(DisavowProblem(
                number, "duplicate", f"repeats the entry on line {seen[kind]}", raw.strip(),
                "warning", None, name))
            pending = []
        else:
            seen[kind] = number
            if pending:
                kind = DisavowEntry(kind.kind, kind.value, "\n".join(pending), number)
                pending = []
            entries.append(kind)
    footer: tuple[str, ...] = ()
    if pending:
        if entries or header:
            footer = tuple(pending)
        else:
            header = tuple(pending)
    return DisavowFile(tuple(entries), header, footer, tuple(problems), name)
