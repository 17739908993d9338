"""Audits kept between reruns of the app, keyed on the uploaded content.

Streamlit reruns the whole page on every click; the audit of an upload set must not be
recomputed each time. :class:`AuditRuns` keeps the last few audits in memory, keyed on
the uploads' SHA-256 (:func:`detector.ui.uploads.upload_key`), the target and the lookup
mode, and computes a missing one with a progress callback (so the page can show a bar
while it works — a plain ``st.cache_*`` could not). Audits are shared read-only: callers
copy before changing a frame.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from detector.pipeline import Audit, audit_exports
from detector.ui.uploads import Upload, upload_key

__all__ = ["AuditRuns", "RUNS"]

RunKey = tuple[Any, ...]


class AuditRuns:
    """A small, thread-safe LRU of audits."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._audits: OrderedDict[RunKey, Audit] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(uploads: Sequence[Upload], target: str | None, lookups: bool) -> RunKey:
        """The key of one audit: content of the uploads, target, lookup mode."""
        return (upload_key(uploads), (target or "").strip().lower(), bool(lookups))

    def get(self, key: RunKey) -> Audit | None:
        """The audit stored under ``key``, or None."""
        with self._lock:
            audit = self._audits.get(key)
            if audit is not None:
                self._audits.move_to_end(key)
            return audit

    def put(self, key: RunKey, audit: Audit) -> None:
        """Store ``audit`` under ``key``, dropping the least recently used beyond ``size``."""
        with self._lock:
            self._audits[key] = audit
            self._audits.move_to_end(key)
            while len(self._audits) > self.size:
                self._audits.popitem(last=False)

    def audit(self, uploads: Sequence[Upload], *, target: str | None = None, lookups: bool = False,
              network: Any = None, cache_path: str | Path | None = None,
              progress: Callable[[str, int, int], None] | None = None) -> Audit:
        """The audit of ``uploads`` (computed once; later calls return the same object).

        Offline unless ``lookups``; ``network`` (a ``NetworkConfig``) and ``cache_path``
        are used only for lookups. Raises what :func:`detector.audit_exports` raises
        (e.g. :class:`detector.errors.InputError` when no file could be read).
        """
        key = self.key(uploads, target, lookups)
        found = self.get(key)
        if found is not None:
            return found
        audit = audit_exports([u.pair for u in uploads], target=(target or None), offline=not lookups,
                              network=network if lookups else None,
                              cache_path=cache_path if lookups else None, progress=progress)
        self.put(key, audit)
        return audit

    def clear(self) -> None:
        """Forget every audit."""
        with self._lock:
            self._audits.clear()


#: The process-wide store the app uses (one per Streamlit server process).
RUNS = AuditRuns()
