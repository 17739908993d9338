"""Turn a :class:`DisavowFile` into the text Google expects.

Layout: the header comment lines, a blank line, then each entry, preceded by its comment
lines when it has a comment (with a blank line before a commented entry, for people),
then the footer comment lines. ``\\n`` line ends, a final line end, no BOM. Domains are
written as ``domain:`` plus the punycode host, URLs with a punycode host.

>>> from detector.disavow.model import DisavowEntry, DisavowFile
>>> print(render_disavow(DisavowFile(
...     (DisavowEntry("domain", "bücher.de", comment="toxic: pbn"),
...      DisavowEntry("url", "http://x.org/a")), header=("my file",))), end="")
# my file
<BLANKLINE>
# toxic: pbn
domain:xn--bcher-kva.de
http://x.org/a
"""

from __future__ import annotations

from detector.disavow.model import DisavowFile

__all__ = ["render_disavow"]


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in text.split("\n")]


def render_disavow(file: DisavowFile) -> str:
    """The text of ``file`` as it should be uploaded (``\\n`` line ends, final newline)."""
    out: list[str] = []
    for line in file.header:
        out.extend(_comment(line))
    if file.header:
        out.append("")
    for entry in file.entries:
        if entry.comment:
            if out and out[-1] != "":
                out.append("")
            out.extend(_comment(entry.comment))
        out.append(entry.text)
    if file.footer:
        if out and out[-1] != "":
            out.append("")
        for line in file.footer:
            out.extend(_comment(line))
    return "\n".join(out) + "\n" if out else ""
