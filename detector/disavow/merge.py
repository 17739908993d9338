"""Merge new entries into the disavow file the user already uploaded.

Each upload to Search Console replaces the previous list, so a fresh file that forgets
an old entry silently un-disavows it. Merging therefore never drops an existing entry,
URL lines included, except:

* entries the user removes explicitly (``remove=``: a domain removes its ``domain:``
  entry and every entry on it or its subdomains; a URL removes that URL line);
* URL lines that a ``domain:`` entry in the result (new or existing) already covers,
  reported as ``covered``.

New entries are never added when they touch the allowlist (an allowlisted domain covers
its subdomains, and a ``domain:`` entry that would cover an allowlisted host counts as
touching it) or a domain removed in the same merge; they are reported as ``blocked``.
New entries already covered by a ``domain:`` entry are not added either. An existing
entry that touches the allowlist is kept (Google has it) and reported in ``conflicts``
until the user removes it.

Order and comments: existing entries keep their order and their comments; new entries
follow with their own comments. The header is regenerated (tool, version, date, counts)
and the lines a person added to the old header are kept below it; the old footer stays.
Comments of removed or covered entries go with them.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Iterable

from detector.errors import DisavowError
from detector.disavow.allowlist import AllowIndex, allowlist_hosts, host_suffixes
from detector.disavow.header import generated_header, user_header_lines
from detector.disavow.model import (
    DisavowEntry,
    DisavowFile,
    DisavowProblem,
    MergeResult,
    normalise_host,
    normalise_url,
)
from detector.disavow.parse import classify_line, parse_disavow

__all__ = ["merge_disavow"]

_DOMAIN_PREFIX = re.compile(r"^domain\s*:\s*", re.IGNORECASE)
_URL_PREFIX = re.compile(r"^https?://", re.IGNORECASE)


class _Removals:
    """The ``remove=`` items: URLs removed exactly, domains removed with subdomains."""

    def __init__(self, items: Iterable[str]) -> None:
        if isinstance(items, str):
            items = [items]
        self.urls: dict[str, str] = {}
        self.hosts: dict[str, str] = {}
        for item in items:
            text = str(item).strip()
            if _URL_PREFIX.match(text):
                self.urls[normalise_url(text)] = text
            else:
                host = normalise_host(_DOMAIN_PREFIX.sub("", text))
                if not host or any(c in host for c in "/?#*: \t"):
                    raise DisavowError(f"remove: {text[:120]!r} is neither a domain nor an "
                                       "http(s) URL")
                self.hosts[host] = text
        self.matched: set[str] = set()

    def hits(self, entry: DisavowEntry, record: bool = False) -> bool:
        keys = [entry.value] if entry.kind == "url" and entry.value in self.urls else []
        keys += [h for h in host_suffixes(entry.host) if h in self.hosts]
        if record:
            self.matched.update(self.urls.get(k) or self.hosts[k] for k in keys)
        return bool(keys)

    def unmatched(self) -> tuple[str, ...]:
        items = list(self.urls.values()) + list(self.hosts.values())
        return tuple(i for i in items if i not in self.matched)


def _usable(entries: Iterable[DisavowEntry], problems: list[DisavowProblem],
            what: str) -> list[DisavowEntry]:
    """Entries that would be valid lines, without duplicates; the rest become problems."""
    out: dict[DisavowEntry, None] = {}
    for entry in entries:
        verdict = classify_line(entry.text, entry.line or 0)
        if isinstance(verdict, DisavowProblem):
            problems.append(DisavowProblem(
                entry.line, verdict.rule, f"{what} entry left out: {verdict.message}",
                verdict.text, "error", verdict.suggestion))
        elif entry not in out:
            out[entry] = None
    return list(out)


def merge_disavow(existing: "DisavowFile | str | bytes | os.PathLike[str] | None",
                  new: "DisavowFile | Iterable[DisavowEntry]", *,
                  allowlist: "Iterable[str] | str | bytes | os.PathLike[str] | None" = None,
                  remove: Iterable[str] = (), tool: str = "linkdetector",
                  version: str | None = None, now: datetime | None = None) -> MergeResult:
    """Merge ``new`` entries into the ``existing`` file (None when there is none yet).

    ``existing`` is a :class:`DisavowFile` or anything :func:`parse_disavow` reads;
    ``allowlist`` a set of domains/URLs or an allowlist file (:func:`read_allowlist`);
    ``remove`` domains or URLs the user wants out. See the module documentation for the
    rules. The header of the result names ``tool``, ``version`` and ``now`` (UTC).
    """
    if existing is None:
        old = DisavowFile()
    elif isinstance(existing, DisavowFile):
        old = existing
    else:
        old = parse_disavow(existing)
    problems = [p for p in old.problems]
    allow = AllowIndex(allowlist_hosts(allowlist))
    removals = _Removals(remove)
    new_entries = new.entries if isinstance(new, DisavowFile) else tuple(new)

    current = _usable(old.entries, problems, "existing")
    candidates = _usable(new_entries, problems, "new")

    removed = [e for e in current if removals.hits(e, record=True)]
    removed_set = set(removed)
    kept_all = [e for e in current if e not in removed_set]
    kept_set = set(kept_all)
    fresh: list[DisavowEntry] = []
    blocked: list[DisavowEntry] = []
    for entry in candidates:
        if entry in kept_set:
            continue
        if entry in removed_set or removals.hits(entry) or allow.touches(entry):
            blocked.append(entry)
        else:
            fresh.append(entry)

    domains = {e.value for e in kept_all if e.kind == "domain"}
    domains |= {e.value for e in fresh if e.kind == "domain"}

    def covered_by_other(entry: DisavowEntry) -> bool:
        return any(s in domains for s in host_suffixes(entry.host)
                   if not (entry.kind == "domain" and s == entry.value))

    covered = [e for e in kept_all if e.kind == "url" and covered_by_other(e)]
    covered_set = set(covered)
    kept = [e for e in kept_all if e not in covered_set]
    added = [e for e in fresh if not covered_by_other(e)]
    conflicts = [e for e in kept if allow.touches(e)]

    entries = tuple(kept + added)
    header = generated_header(entries, tool=tool, version=version, now=now)
    header += user_header_lines(old.header)
    merged = DisavowFile(entries, header, old.footer, (), None)
    return MergeResult(
        file=merged,
        added=tuple(added),
        removed=tuple(removed),
        kept=tuple(kept),
        covered=tuple(covered),
        conflicts=tuple(conflicts),
        blocked=tuple(blocked),
        unmatched_removals=removals.unmatched(),
        problems=tuple(problems),
    )
