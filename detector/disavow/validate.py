"""Check a disavow file against everything Google is known to reject, before writing it.

Rules (each problem names its line and rule id):

* ``not_utf8``: the bytes are UTF-8 or 7-bit ASCII;
* ``file_too_large``: at most :data:`MAX_BYTES` bytes;
* ``too_many_lines``: at most :data:`MAX_LINES` lines, comments and blank lines included;
* per line: a comment, a blank line, a ``domain:`` entry or an http(s) URL
  (``not_an_entry``), no wildcard (``wildcard``), no scheme or path after ``domain:``
  (``domain_with_path``), no bare public suffix or shared platform (``public_suffix``),
  URLs of at most :data:`MAX_URL_CHARS` characters (``url_too_long``).

Warnings (``severity="warning"``) do not make a file invalid: duplicate entries, a BOM,
a file without any entry (uploading it would withdraw every earlier disavow), entries
not in canonical spelling (``Domain: Bücher.de`` instead of ``domain:xn--bcher-kva.de``).

>>> validate_disavow("domain:example.com\\n")
[]
>>> [p.rule for p in validate_disavow("domain:co.uk\\n", raise_errors=False)]
['no_entries', 'public_suffix']
"""

from __future__ import annotations

from detector.errors import DisavowValidationError
from detector.disavow.model import MAX_BYTES, MAX_LINES, DisavowFile, DisavowProblem
from detector.disavow.parse import decode_disavow, parse_text
from detector.disavow.render import render_disavow

__all__ = ["validate_disavow", "ensure_valid"]


def validate_disavow(content: DisavowFile | str | bytes, *, raise_errors: bool = True,
                     source: str | None = None) -> list[DisavowProblem]:
    """Every problem in ``content`` (a :class:`DisavowFile`, its text or its bytes).

    A ``DisavowFile`` is checked as :func:`render_disavow` would write it. Returns the
    problems (empty when the file is clean). With ``raise_errors`` (the default), raises
    :class:`DisavowValidationError` when any problem is an error; its ``problems`` lists
    them all.
    """
    if isinstance(content, DisavowFile):
        source = source or content.source
        content = render_disavow(content)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    text, problems = decode_disavow(data, source)
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(DisavowProblem(1, "bom", "the file starts with a byte-order mark; "
                                       "plain UTF-8 without BOM is safest", "", "warning",
                                       None, source))
    if len(data) > MAX_BYTES:
        problems.append(DisavowProblem(None, "file_too_large", f"the file has {len(data):,} "
                                       f"bytes; Google accepts at most {MAX_BYTES:,}",
                                       source=source))
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_LINES:
        problems.append(DisavowProblem(MAX_LINES + 1, "too_many_lines", f"the file has "
                                       f"{lines:,} lines; Google accepts at most "
                                       f"{MAX_LINES:,} (comments and blank lines count)",
                                       source=source))
    parsed = parse_text(text, source, problems)
    problems = list(parsed.problems)
    raw_lines = text.split("\n")
    for entry in parsed.entries:
        written = raw_lines[entry.line - 1].strip() if entry.line else entry.text
        if written != entry.text:
            problems.append(DisavowProblem(entry.line, "not_canonical", "accepted here, but "
                                           "the canonical spelling (lower-case 'domain:', no "
                                           "space, punycode host) is safest", written,
                                           "warning", entry.text, source))
    if not parsed.entries:
        problems.append(DisavowProblem(None, "no_entries", "the file disavows nothing; "
                                       "uploading it withdraws every earlier disavow",
                                       "", "warning", None, source))
    problems.sort(key=lambda p: (p.line is not None, p.line or 0))
    if raise_errors:
        ensure_valid(problems, source)
    return problems


def ensure_valid(problems: list[DisavowProblem], source: str | None = None) -> None:
    """Raise :class:`DisavowValidationError` when any of ``problems`` is an error."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        shown = "; ".join(str(p) for p in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise DisavowValidationError(
            f"{source or 'disavow file'}: {len(errors)} problem(s) Google would reject: "
            f"{shown}{more}", errors)
