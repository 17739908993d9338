"""The allowlist: domains a person says must never be disavowed.

An allowlist file has one domain or URL a line; ``#`` starts a comment (a whole line, or
the rest of a line after `` #``); blank lines are ignored; a ``domain:`` prefix is
accepted. A URL line allowlists its whole host. An allowlisted domain covers its
subdomains, and no ``domain:`` entry that would cover an allowlisted host is ever added
(``domain:example.com`` would disavow an allowlisted ``blog.example.com`` too).

A line that is not a domain stops reading with a :class:`DisavowError` naming the file
and line: silently skipping it could disavow a site the person meant to protect.

>>> sorted(read_allowlist("# friends\\nExample.com\\nhttps://www.Bücher.de/x  # shop\\n"))
['example.com', 'www.xn--bcher-kva.de']
"""

from __future__ import annotations

import os
import re
from typing import Iterable

from detector.errors import DisavowError
from detector.keys import host_of, is_ip
from detector.disavow.model import DisavowEntry
from detector.disavow.parse import decode_disavow, read_source

__all__ = ["read_allowlist", "allowlist_hosts", "touches_allowlist", "AllowIndex", "host_suffixes"]

_DOMAIN_PREFIX = re.compile(r"^domain\s*:\s*", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


def _host_of_item(item: str) -> str:
    text = _DOMAIN_PREFIX.sub("", item.strip())
    host = host_of(text)
    return host if host and (is_ip(host) or _HOST.match(host)) else ""


def read_allowlist(source: "str | bytes | os.PathLike[str]") -> frozenset[str]:
    """The allowlisted hosts (lower-case punycode) of an allowlist file, text or bytes.

    A single-line ``str`` naming an existing file is read from disk, as in
    :func:`parse_disavow`.
    """
    data, name = read_source(source)
    text, _ = decode_disavow(data, name)
    hosts: set[str] = set()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.split(r"\s+#", line, maxsplit=1)[0].strip()
        host = _host_of_item(line)
        if not host or any(ch.isspace() for ch in line):
            raise DisavowError(f"{name or 'allowlist'}:{number}: expected one domain or URL "
                               f"a line, found {raw.strip()[:120]!r}")
        hosts.add(host)
    return frozenset(hosts)


def allowlist_hosts(allowlist: "Iterable[str] | str | bytes | os.PathLike[str] | None"
                    ) -> frozenset[str]:
    """Normalised hosts from an allowlist given as a set of domains/URLs, or as a file."""
    if allowlist is None:
        return frozenset()
    if isinstance(allowlist, (str, bytes, os.PathLike)):
        return read_allowlist(allowlist)
    hosts: set[str] = set()
    for item in allowlist:
        host = _host_of_item(str(item))
        if not host:
            raise DisavowError(f"allowlist: {str(item)[:120]!r} is not a domain or URL")
        hosts.add(host)
    return frozenset(hosts)


def host_suffixes(host: str) -> list[str]:
    """``host`` and every parent domain of it: ``a.b.com`` -> ``a.b.com, b.com, com``.

    >>> host_suffixes("a.b.com")
    ['a.b.com', 'b.com', 'com']
    """
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))] if host else []


class AllowIndex:
    """Allowlisted hosts indexed for fast checks over many entries."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(hosts)
        #: every allowlisted host and all its parents: a domain entry equal to one of
        #: these covers an allowlisted host
        self.parents = frozenset(s for h in self.hosts for s in host_suffixes(h))

    def touches(self, entry: DisavowEntry) -> bool:
        """True when ``entry`` would disavow anything on an allowlisted host.

        Any entry whose host is allowlisted (or under an allowlisted domain) touches it;
        a ``domain:`` entry also when it covers an allowlisted host.
        """
        host = entry.host
        if any(s in self.hosts for s in host_suffixes(host)):
            return True
        return entry.kind == "domain" and host in self.parents


def touches_allowlist(entry: DisavowEntry, allowed: "Iterable[str] | AllowIndex") -> bool:
    """True when ``entry`` would disavow anything on an allowlisted host.

    >>> touches_allowlist(DisavowEntry("domain", "example.com"), {"blog.example.com"})
    True
    >>> touches_allowlist(DisavowEntry("url", "http://example.com/x"), {"blog.example.com"})
    False
    """
    index = allowed if isinstance(allowed, AllowIndex) else AllowIndex(allowed)
    return index.touches(entry)
