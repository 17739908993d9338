"""The disavow file as data: entries, problems, parsed files and merge results.

Entries are value objects: two entries are equal when they disavow the same thing
(``kind`` and normalised ``value``); the comment above an entry and the line it came
from ride along but do not take part in equality, so a file read back from disk compares
equal to the one that was written.

Normalisation happens once, here: a ``domain:`` value becomes a lower-case punycode host
without trailing dot; a URL keeps its path, query and fragment as written but gets a
lower-case scheme and a lower-case punycode host. Values that are not valid (a path in a
domain entry, a wildcard) are kept as written so :func:`validate_disavow` can name them.

>>> DisavowEntry("domain", "Bücher.DE.") == DisavowEntry("domain", "xn--bcher-kva.de")
True
>>> DisavowEntry("url", "HTTP://Bücher.de/Seite?a=B").value
'http://xn--bcher-kva.de/Seite?a=B'
>>> DisavowEntry("domain", "example.com", comment="spam\\n\\n  network ").comment
'spam\\nnetwork'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from detector.keys import host_of

__all__ = [
    "DisavowEntry",
    "DisavowFile",
    "DisavowProblem",
    "MergeResult",
    "MAX_BYTES",
    "MAX_LINES",
    "MAX_URL_CHARS",
    "MAX_COMMENT_CHARS",
    "normalise_host",
    "normalise_url",
    "clean_comment",
    "host_covers",
]

#: Google's limit on the file size. Google says "2 MB"; we use the decimal reading
#: (2,000,000 bytes), the stricter of the two, so a file we pass is never rejected.
MAX_BYTES = 2_000_000
#: Google's limit on lines, comments and blank lines included.
MAX_LINES = 100_000
#: Google's limit on the length of one URL.
MAX_URL_CHARS = 2_048
#: Comments the builder writes are cut to this many characters (one short line).
MAX_COMMENT_CHARS = 200

EntryKind = Literal["domain", "url"]
Severity = Literal["error", "warning"]

_HOST_BREAKERS = re.compile(r"[/?#@:\\*\s]")
_URL_PREFIX = re.compile(r"^(https?)://", re.IGNORECASE)


@lru_cache(maxsize=1 << 17)
def normalise_host(text: str) -> str:
    """A ``domain:`` value in canonical form: lower-case punycode, no trailing dot.

    Text that cannot be a bare host (holds a path, port, wildcard, space ...) is only
    stripped and lower-cased, never cut, so validation can still see what is wrong.

    >>> normalise_host(" WWW.Пример.РФ. ")
    'www.xn--e1afmkfd.xn--p1ai'
    >>> normalise_host("example.com/path")
    'example.com/path'
    """
    text = text.strip()
    if not text or _HOST_BREAKERS.search(text):
        return text.lower()
    return host_of(text) or text.lower()


def normalise_url(text: str) -> str:
    """A URL in canonical form: lower-case scheme and host (punycode), rest as written.

    Text that does not start with ``http://`` or ``https://`` is returned stripped.

    >>> normalise_url("HTTPS://user@WWW.Example.com:8080/A?b=C#d")
    'https://user@www.example.com:8080/A?b=C#d'
    """
    text = text.strip()
    match = _URL_PREFIX.match(text)
    if not match:
        return text
    scheme = match.group(1).lower()
    rest = text[match.end():]
    cut = min((i for i in (rest.find(c) for c in "/?#") if i != -1), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal: keep as written, lower-cased
        hostport = hostport.lower()
    else:
        host, colon, port = hostport.partition(":")
        if host and not _HOST_BREAKERS.search(host):
            host = host_of(host) or host.lower()
        else:
            host = host.lower()
        hostport = host + colon + port
    return f"{scheme}://{userinfo}{at}{hostport}{tail}"


def url_host(url: str) -> str:
    """The normalised host of a URL entry (``""`` when there is none)."""
    return host_of(url)


def clean_comment(text: str | None) -> str | None:
    """Comment text safe to write after ``# ``: one entry per line, no control characters.

    Lines are stripped and empty lines dropped; ``None`` when nothing is left. Control,
    format and line/paragraph separator characters become spaces, so no comment can
    break out of its line.
    """
    if text is None:
        return None
    lines = []
    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        # every character replaced below is non-printable, so a printable line (nearly
        # all of them) skips the per-character scan, which dominated large builds
        cleaned = raw if raw.isprintable() else "".join(
            " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in raw
        )
        cleaned = " ".join(cleaned.split())
        if cleaned:
            lines.append(cleaned)
    return "\n".join(lines) or None


def host_covers(domain: str, host: str) -> bool:
    """True when a ``domain:`` entry for ``domain`` covers ``host`` (itself or a subdomain).

    >>> host_covers("example.com", "a.b.example.com"), host_covers("example.com", "badexample.com")
    (True, False)
    """
    return bool(domain) and (host == domain or host.endswith("." + domain))


@dataclass(frozen=True)
class DisavowEntry:
    """One line of a disavow file that disavows something."""

    kind: EntryKind
    """``"domain"`` (a ``domain:`` line: the host and all its subdomains) or ``"url"`` (one page)."""
    value: str
    """The host (for ``domain``) or the full URL (for ``url``), normalised; no ``domain:`` prefix."""
    comment: str | None = field(default=None, compare=False)
    """Comment written above the entry (``\\n`` separates lines), or None. Not part of equality."""
    line: int | None = field(default=None, compare=False)
    """1-based line number in the file it was read from; None for entries built in memory."""

    def __post_init__(self) -> None:
        if self.kind not in ("domain", "url"):
            raise ValueError(f"DisavowEntry kind must be 'domain' or 'url', not {self.kind!r}")
        value = normalise_host(self.value) if self.kind == "domain" else normalise_url(self.value)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "comment", clean_comment(self.comment))

    @property
    def host(self) -> str:
        """The host this entry is about (the domain itself, or the URL's host)."""
        return self.value if self.kind == "domain" else url_host(self.value)

    @property
    def text(self) -> str:
        """The entry as one line of a disavow file, without line end."""
        return f"domain:{self.value}" if self.kind == "domain" else self.value

    def covers(self, other: "DisavowEntry") -> bool:
        """True when this entry already disavows everything ``other`` does."""
        if self == other:
            return True
        return self.kind == "domain" and host_covers(self.value, other.host)


@dataclass(frozen=True)
class DisavowProblem:
    """A line (or the whole file) that Google would reject, or that deserves a warning."""

    line: int | None
    """1-based line number, or None when the problem concerns the whole file (size)."""
    rule: str
    """Short id of the rule broken, e.g. ``wildcard``, ``public_suffix``, ``url_too_long``."""
    message: str
    """What is wrong and what was expected, in one plain sentence."""
    text: str = ""
    """The offending line as written (cut to 120 characters), or ``""``."""
    severity: Severity = "error"
    """``error``: Google may reject the file; ``warning``: accepted but worth a look."""
    suggestion: str | None = None
    """A corrected line when one is obvious (``domain:example.com``), else None."""
    source: str | None = None
    """The file the line came from, when known."""

    def __str__(self) -> str:
        where = self.source or "<disavow>"
        if self.line is not None:
            where += f":{self.line}"
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{where}: {self.severity} [{self.rule}] {self.message}{hint}"


@dataclass(frozen=True)
class DisavowFile:
    """A disavow file: a header comment, commented entries, and trailing comments."""

    entries: tuple[DisavowEntry, ...] = ()
    """The entries in file order, without duplicates."""
    header: tuple[str, ...] = ()
    """Comment lines at the top of the file (without ``#``), separated from the body by a blank line."""
    footer: tuple[str, ...] = ()
    """Comment lines after the last entry (without ``#``)."""
    problems: tuple[DisavowProblem, ...] = ()
    """Lines that were left out when reading (Google would reject them) and warnings."""
    source: str | None = None
    """The file it was read from, when read from a file."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "header", _comment_lines(self.header))
        object.__setattr__(self, "footer", _comment_lines(self.footer))
        object.__setattr__(self, "problems", tuple(self.problems))

    @property
    def domains(self) -> tuple[str, ...]:
        """Hosts of the ``domain:`` entries, in file order."""
        return tuple(e.value for e in self.entries if e.kind == "domain")

    @property
    def urls(self) -> tuple[str, ...]:
        """The URL entries, in file order."""
        return tuple(e.value for e in self.entries if e.kind == "url")

    @property
    def errors(self) -> tuple[DisavowProblem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")


def _comment_lines(lines) -> tuple[str, ...]:
    out: list[str] = []
    for line in lines or ():
        cleaned = clean_comment(line)
        if cleaned:
            out.extend(cleaned.split("\n"))
    return tuple(out)


@dataclass(frozen=True)
class MergeResult:
    """The merged disavow file and what changed compared with the existing one."""

    file: DisavowFile
    """The merged file, ready for :func:`write_disavow`."""
    added: tuple[DisavowEntry, ...] = ()
    """New entries that were not in the existing file."""
    removed: tuple[DisavowEntry, ...] = ()
    """Existing entries dropped because the user asked (``remove=``)."""
    kept: tuple[DisavowEntry, ...] = ()
    """Existing entries carried over unchanged (conflicts included)."""
    covered: tuple[DisavowEntry, ...] = ()
    """Existing URL entries dropped because a ``domain:`` entry in the result covers them."""
    conflicts: tuple[DisavowEntry, ...] = ()
    """Existing entries that touch an allowlisted domain; kept (Google has them) until removed."""
    blocked: tuple[DisavowEntry, ...] = ()
    """New entries not added because they touch an allowlisted or just-removed domain."""
    unmatched_removals: tuple[str, ...] = ()
    """Items of ``remove=`` that matched no existing entry (typos, already gone)."""
    problems: tuple[DisavowProblem, ...] = ()
    """Lines of the existing file that could not be read and were left out."""

    @property
    def summary(self) -> str:
        """One line for people: what the merge did."""
        n = len(self.file.entries)
        parts = [
            f"{n} entr{'y' if n == 1 else 'ies'}",
            f"{len(self.added)} added",
            f"{len(self.removed)} removed",
            f"{len(self.kept)} kept",
            f"{len(self.covered)} URL lines covered by domain entries",
        ]
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} kept despite the allowlist (remove them explicitly)")
        if self.blocked:
            parts.append(f"{len(self.blocked)} not added (allowlisted or removed)")
        if self.unmatched_removals:
            parts.append(f"{len(self.unmatched_removals)} removals matched nothing")
        errors = sum(1 for p in self.problems if p.severity == "error")
        if errors:
            parts.append(f"{errors} unusable lines left out (see problems)")
        return ", ".join(parts)
