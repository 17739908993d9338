"""Embedded SQLite cache of lookups, keyed by ``(domain, kind)`` with fetch time.

Why SQLite: one file, no server, transactional, and in WAL mode readers (the app
showing a half-finished run, a second CLI process) never block the writer or see a torn
record. Each :meth:`LookupCache.put` commits at once, so a run killed halfway leaves
every finished lookup on disk and the next run resumes where it stopped.

Freshness is decided when reading: ``get(domain, kind, max_age)`` returns ``None`` for a
record older than ``max_age``, and keeps the row, so offline mode (``max_age=None``) can
still use it. Failed lookups are stored too (with their reason); callers usually give
them a shorter ``max_age`` (see ``failure_max_age``) so a transient timeout is retried
soon while a second run over the same export still makes no network calls.

>>> cache = LookupCache(":memory:")
>>> cache.put(Lookup("example.com", "dns", True, {"a": ["192.0.2.1"]}))
>>> cache.get("example.com", "dns", max_age=3600).data
{'a': ['192.0.2.1']}
>>> cache.get("example.com", "registration") is None
True
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from detector.enrich.base import Lookup
from detector.enrich.gc_pause import paused_gc

try:  # optional: about twice as fast to decode large page records; same results
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None


def _loads(text: bytes | str) -> dict:
    """Decode one stored record (orjson when installed; stdlib json for NaN and the rest)."""
    if _orjson is not None:
        try:
            return _orjson.loads(text)
        except _orjson.JSONDecodeError:
            pass
    return json.loads(text)

__all__ = ["LookupCache", "default_cache_path", "MaxAge"]

#: An age limit: seconds, a timedelta, or None (any age).
MaxAge = float | int | timedelta | None

_SCHEMA_VERSION = 1
_CHUNK = 500  # names per "IN (...)" query, under SQLite's variable limit
_INSERT = "INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?, ?)"


def default_cache_path() -> Path:
    """Where the CLI and the app keep the cache unless told otherwise.

    ``$LINKDETECTOR_CACHE`` if set, else ``$XDG_CACHE_HOME/linkdetector/lookups.sqlite``
    (``~/.cache`` when XDG is unset).
    """
    if os.environ.get("LINKDETECTOR_CACHE"):
        return Path(os.environ["LINKDETECTOR_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "linkdetector" / "lookups.sqlite"


def _seconds(max_age: MaxAge) -> float | None:
    if max_age is None:
        return None
    if isinstance(max_age, timedelta):
        return max_age.total_seconds()
    return float(max_age)


def _record(lookup: Lookup) -> dict:
    """``Lookup.to_json`` without its deep copy (the dict is serialised at once)."""
    return {"domain": lookup.domain, "kind": lookup.kind, "ok": lookup.ok, "data": lookup.data,
            "error": lookup.error, "fetched_at": lookup.fetched_at.isoformat()}


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:  # naive times in a Lookup are UTC by contract
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class LookupCache:
    """A SQLite file of :class:`~detector.enrich.base.Lookup` records (WAL mode).

    ``path`` may be ``":memory:"`` (nothing persists; for tests and one-off runs). The
    parent folder of a file path is created. Usable as a context manager; one instance
    may be shared by the threads of one process (calls are serialised by a lock); other
    processes open their own instance on the same file.
    """

    def __init__(self, path: str | os.PathLike[str], *, failure_max_age: MaxAge = timedelta(days=1),
                 timeout: float = 30.0) -> None:
        self.path = str(path)
        #: default age limit applied to failed lookups by :meth:`get` and :meth:`get_many`
        self.failure_max_age = failure_max_age
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False,
                                   isolation_level=None)  # autocommit: each put is durable
        self._db.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
        if self.path != ":memory:":
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"{self.path}: could not switch to WAL (got {mode})")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS lookups ("
            " domain TEXT NOT NULL, kind TEXT NOT NULL, ok INTEGER NOT NULL,"
            " fetched_at REAL NOT NULL, record TEXT NOT NULL,"
            " PRIMARY KEY (domain, kind)) WITHOUT ROWID")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        elif version != _SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"{self.path}: cache schema version {version}, expected {_SCHEMA_VERSION}; "
                "delete the file to rebuild it")

    # --- reading -----------------------------------------------------------------
    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode for this file (``wal`` for files, ``memory`` in memory)."""
        with self._lock:
            return str(self._db.execute("PRAGMA journal_mode").fetchone()[0]).lower()

    def get(self, domain: str, kind: str, max_age: MaxAge = None, *,
            failure_max_age: MaxAge | str = "default") -> Lookup | None:
        """The cached lookup of ``domain`` by ``kind``, or ``None`` if absent or too old.

        ``max_age`` (seconds or timedelta; ``None`` = any age) applies to every record;
        failed lookups must also be younger than ``failure_max_age`` (default: the
        cache's ``failure_max_age``; ``None`` = same rule as successes).
        """
        found = self.get_many([domain], kind, max_age, failure_max_age=failure_max_age)
        return found.get(domain)

    def get_many(self, domains: Iterable[str], kind: str, max_age: MaxAge = None, *,
                 failure_max_age: MaxAge | str = "default") -> dict[str, Lookup]:
        """Fresh cached lookups of ``domains`` by ``kind``, as ``{domain: Lookup}``.

        Domains without a fresh record are simply absent from the result.
        """
        limit = _seconds(max_age)
        fail_limit = _seconds(self.failure_max_age if failure_max_age == "default"
                              else failure_max_age)  # type: ignore[arg-type]
        now = datetime.now(timezone.utc).timestamp()
        # a success must be younger than max_age; a failure younger than both limits
        ok_bound = limit
        fail_bound = min((x for x in (limit, fail_limit) if x is not None), default=None)
        names = list(dict.fromkeys(domains))
        out: dict[str, Lookup] = {}
        with self._lock, paused_gc():  # decoding builds millions of acyclic objects
            for start in range(0, len(names), _CHUNK):
                chunk = names[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                # records come back as their UTF-8 bytes: no str is built only to be parsed
                rows = self._db.execute(
                    f"SELECT domain, ok, fetched_at, CAST(record AS BLOB) FROM lookups"
                    f" WHERE kind = ? AND domain IN ({marks})", (kind, *chunk)).fetchall()
                for domain, ok, fetched_at, record in rows:
                    bound = ok_bound if ok else fail_bound
                    if bound is None or now - fetched_at <= bound:
                        out[domain] = Lookup.from_json(_loads(record))
        return out

    def count(self, kind: str | None = None) -> int:
        """How many records the cache holds (of ``kind``, or all)."""
        with self._lock:
            if kind is None:
                return self._db.execute("SELECT COUNT(*) FROM lookups").fetchone()[0]
            return self._db.execute("SELECT COUNT(*) FROM lookups WHERE kind = ?",
                                    (kind,)).fetchone()[0]

    # --- writing -----------------------------------------------------------------
    def put(self, lookup: Lookup) -> None:
        """Store ``lookup`` (replacing an older one of the same domain and kind); durable on return."""
        self.put_many([lookup])

    def put_many(self, lookups: Sequence[Lookup]) -> None:
        """Store several lookups in one transaction."""
        rows = [(lk.domain, lk.kind, int(lk.ok), _epoch(lk.fetched_at),
                 # lookups are JSON trees: no cycle to check for (same text, less work)
                 json.dumps(_record(lk), ensure_ascii=False, separators=(",", ":"), check_circular=False))
                for lk in lookups]
        if not rows:
            return
        with self._lock:
            if len(rows) == 1:  # one statement is its own transaction in autocommit mode
                self._db.execute(_INSERT, rows[0])
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(_INSERT, rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def delete_older_than(self, max_age: MaxAge) -> int:
        """Drop records older than ``max_age``; returns how many were dropped."""
        limit = _seconds(max_age)
        if limit is None:
            return 0
        cutoff = datetime.now(timezone.utc).timestamp() - limit
        with self._lock:
            return self._db.execute("DELETE FROM lookups WHERE fetched_at < ?", (cutoff,)).rowcount

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> "LookupCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
