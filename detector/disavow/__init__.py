"""The disavow stage: read, build, merge, validate and write Google disavow files.

Typical use::

    from detector.disavow import build_disavow, merge_disavow, write_disavow
    fresh = build_disavow(domains)                         # TOXIC + decisions
    result = merge_disavow("live-disavow.txt", fresh, allowlist="allowlist.txt")
    print(result.summary)
    write_disavow(result.file, "disavow.txt")              # validated, atomic

Modules: :mod:`.model` (dataclasses, limits, normalisation), :mod:`.parse` (tolerant
reading), :mod:`.allowlist`, :mod:`.build`, :mod:`.merge`, :mod:`.validate`,
:mod:`.render`, :mod:`.write`, :mod:`.header` (the generated header comment).
"""

from detector.disavow.allowlist import read_allowlist
from detector.disavow.build import build_disavow
from detector.disavow.merge import merge_disavow
from detector.disavow.model import (
    MAX_BYTES,
    MAX_LINES,
    MAX_URL_CHARS,
    DisavowEntry,
    DisavowFile,
    DisavowProblem,
    MergeResult,
)
from detector.disavow.parse import parse_disavow
from detector.disavow.render import render_disavow
from detector.disavow.validate import validate_disavow
from detector.disavow.write import write_disavow

__all__ = [
    "parse_disavow",
    "build_disavow",
    "merge_disavow",
    "validate_disavow",
    "render_disavow",
    "write_disavow",
    "read_allowlist",
    "DisavowEntry",
    "DisavowFile",
    "MergeResult",
    "DisavowProblem",
    "MAX_BYTES",
    "MAX_LINES",
    "MAX_URL_CHARS",
]
