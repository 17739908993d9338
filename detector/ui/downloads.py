"""What the person takes away: ``disavow.txt`` with their decisions, its diff, the report.

:func:`disavow_download` runs :func:`detector.disavow_for` (decisions applied, merged
with the uploaded disavow file, allowlist honoured) and validates the result;
:func:`diff_table` lists what changes against the uploaded file, so the person sees it
before downloading; :func:`report_csv` is the full per-domain report, formula-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from detector.disavow import MergeResult, parse_disavow, read_allowlist, render_disavow, validate_disavow
from detector.output import escape_formulas
from detector.pipeline import disavow_for
from detector.schema import DOM, KEEP

__all__ = ["DisavowDownload", "disavow_download", "diff_table", "report_csv"]


@dataclass
class DisavowDownload:
    """A merged, validated disavow file ready to download."""

    result: MergeResult  #: the merge: file, added, removed, kept, blocked ...
    text: str  #: the file as uploaded to Google
    problems: list  #: validation problems of the result (warnings; errors raise)
    existing_problems: list  #: lines of the uploaded disavow file that could not be read


def disavow_download(domains: pd.DataFrame, decisions: Mapping[str, str] | None = None, *,
                     existing: tuple[str, bytes] | None = None, allowlist: tuple[str, bytes] | None = None,
                     remove_kept: bool = True, backlinks: pd.DataFrame | None = None,
                     level: str = "domain") -> DisavowDownload:
    """Build the disavow file for ``domains`` with the person's ``decisions`` on top.

    ``existing`` / ``allowlist`` are uploads as ``(name, bytes)``. With ``remove_kept``
    an entry of the existing file for a domain the person marked ``keep`` is removed
    (the person's explicit word beats an old file); otherwise it stays, as in the CLI.
    Raises :class:`detector.errors.DisavowValidationError` if the result is invalid, and
    :class:`detector.errors.DisavowError` for an unreadable allowlist (naming the line).
    """
    decisions = dict(decisions or {})
    old = parse_disavow(existing[1], source_name=existing[0]) if existing else None
    allow = read_allowlist(allowlist[1]) if allowlist else None
    remove: list[str] = []
    if old is not None and remove_kept:
        kept = {d for d, choice in decisions.items() if choice == KEEP}
        remove = sorted(kept & {e.host for e in old.entries})
    result = disavow_for(domains, existing=old, allowlist=allow, remove=remove, decisions=decisions,
                         backlinks=backlinks, level=level)
    text = render_disavow(result.file)
    problems = validate_disavow(text, source="disavow.txt")
    return DisavowDownload(result=result, text=text, problems=problems,
                           existing_problems=list(old.problems) if old is not None else [])


def diff_table(result: MergeResult) -> pd.DataFrame:
    """What the new file changes against the uploaded one: ``change, entry, why``.

    Order: added, removed, blocked (not added: allowlisted or removed), covered (URL
    lines now covered by a domain line), conflicts (kept although allowlisted).
    Unchanged entries are not listed.
    """
    rows = []
    labels = (("added", result.added), ("removed", result.removed), ("not added", result.blocked),
              ("covered by a domain line", result.covered), ("kept despite the allowlist", result.conflicts))
    for change, entries in labels:
        for entry in entries:
            rows.append({"change": change, "entry": entry.text, "why": entry.comment or ""})
    return pd.DataFrame(rows, columns=["change", "entry", "why"])


def report_csv(domains: pd.DataFrame, decisions: Mapping[str, str] | None = None) -> bytes:
    """The full per-domain report as UTF-8 CSV bytes, decisions included, formula-escaped.

    Readable back by ``detector disavow REPORT.csv`` (it has ``domain``, ``verdict`` and
    ``decision`` columns).
    """
    frame = domains.copy()
    if decisions is not None:
        frame[DOM.DECISION] = frame[DOMAIN_COLUMN].map(dict(decisions)).astype("string")
    if DOM.PROBABILITY in frame:
        frame = frame.sort_values(DOM.PROBABILITY, ascending=False, na_position="last")
    return escape_formulas(frame).to_csv(index=False).encode("utf-8")


DOMAIN_COLUMN = DOM.DOMAIN
