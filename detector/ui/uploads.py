"""Uploaded files as the library takes them, and what reading them gave.

The app hands uploads to :func:`detector.audit_exports` as ``(name, bytes)`` pairs; the
audit is cached on the content (:func:`upload_key`), so reruns and re-uploads of the same
bytes are instant. :func:`ingest_table` and :func:`problems_table` show, per file, the
detected format, rows and anything that could not be read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["Upload", "as_uploads", "upload_key", "ingest_table", "problems_table"]


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name, its bytes and their SHA-256."""

    name: str
    data: bytes
    sha256: str

    @classmethod
    def of(cls, name: str, data: bytes) -> "Upload":
        """An upload from a name and its bytes.

        >>> Upload.of("a.csv", b"x").sha256[:8]
        '2d711642'
        """
        return cls(name=name, data=data, sha256=hashlib.sha256(data).hexdigest())

    @property
    def pair(self) -> tuple[str, bytes]:
        """``(name, bytes)`` as :func:`detector.audit_exports` accepts it."""
        return (self.name, self.data)


def as_uploads(files: Iterable[object] | None) -> list[Upload]:
    """Streamlit ``UploadedFile`` objects (anything with ``name`` and ``getvalue()``) as uploads.

    Files with the same content are kept once (dragging one file twice is a no-op).
    """
    out: dict[str, Upload] = {}
    for file in files or ():
        upload = Upload.of(str(getattr(file, "name")), bytes(file.getvalue()))  # type: ignore[attr-defined]
        out.setdefault(upload.sha256, upload)
    return list(out.values())


def upload_key(uploads: Iterable[Upload]) -> tuple[tuple[str, str], ...]:
    """A hashable key for a set of uploads: sorted ``(name, sha256)`` pairs."""
    return tuple(sorted((u.name, u.sha256) for u in uploads))


def ingest_table(ingest: object) -> pd.DataFrame:
    """One row per uploaded file: ``file, status, formats, rows, rows not read, note``.

    ``ingest`` is an :class:`detector.ingest.IngestReport`. Files that could not be read
    at all have status ``not read`` and the reason in ``note``.
    """
    rows = []
    for result in getattr(ingest, "results", []):
        notes = list(getattr(result, "skipped", []))
        unparsed = getattr(result, "unparsed_values", {}) or {}
        if unparsed:
            notes.append("values left empty: " + ", ".join(f"{c} {n:,}" for c, n in unparsed.items()))
        rows.append({"file": result.source, "status": "read", "formats": ", ".join(result.formats),
                     "rows": result.rows, "rows not read": result.dropped_rows, "note": "; ".join(notes)})
    for error in getattr(ingest, "errors", []):
        rows.append({"file": error.source, "status": "not read", "formats": "", "rows": 0,
                     "rows not read": pd.NA, "note": str(error.error)})
    frame = pd.DataFrame(rows, columns=["file", "status", "formats", "rows", "rows not read", "note"])
    return frame.astype({"rows": "Int64", "rows not read": "Int64"})


def problems_table(ingest: object, limit: int = 500) -> pd.DataFrame:
    """The first ``limit`` row problems of every file: ``file, line, column, problem, row``."""
    rows = []
    for problem in getattr(ingest, "problems", [])[:limit]:
        rows.append({"file": problem.file, "line": problem.line, "column": problem.column or "",
                     "problem": problem.message, "row": "left out" if problem.dropped else "value left empty"})
    frame = pd.DataFrame(rows, columns=["file", "line", "column", "problem", "row"])
    return frame.astype({"line": "Int64"})
