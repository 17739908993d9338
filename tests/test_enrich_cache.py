"""The SQLite lookup cache: round trip, TTL, WAL, concurrent readers, persistence."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest

from detector.enrich.base import Lookup
from detector.enrich.cache import LookupCache, default_cache_path


def _ago(**kw) -> datetime:
    return datetime.now(timezone.utc) - timedelta(**kw)


def test_round_trip_keeps_every_field(tmp_path):
    cache = LookupCache(tmp_path / "c.sqlite")
    original = Lookup("bücher.example", "registration", True,
                      {"raw": "Registrar: Ex\u00e4mple\n", "nested": {"ns": ["a", "b"]}, "n": 1.5},
                      fetched_at=_ago(hours=2))
    cache.put(original)
    back = cache.get("bücher.example", "registration", max_age=timedelta(days=1))
    assert back == original
    assert back.fetched_at.tzinfo is not None
    failed = Lookup("gone.example", "dns", False, error="NXDOMAIN")
    cache.put(failed)
    assert cache.get("gone.example", "dns") == failed
    assert cache.get("gone.example", "registration") is None
    cache.close()


def test_put_replaces_same_domain_and_kind(tmp_path):
    with LookupCache(tmp_path / "c.sqlite") as cache:
        cache.put(Lookup("a.example", "dns", False, error="timeout after 3s"))
        cache.put(Lookup("a.example", "dns", True, {"a": ["192.0.2.1"]}))
        assert cache.count("dns") == 1
        assert cache.get("a.example", "dns").ok


def test_ttl_expiry_for_successes_and_failures(tmp_path):
    cache = LookupCache(tmp_path / "c.sqlite", failure_max_age=timedelta(hours=1))
    cache.put(Lookup("old.example", "dns", True, {"a": []}, fetched_at=_ago(days=40)))
    cache.put(Lookup("new.example", "dns", True, {"a": []}, fetched_at=_ago(days=2)))
    cache.put(Lookup("failed-recently.example", "dns", False, error="SERVFAIL", fetched_at=_ago(minutes=5)))
    cache.put(Lookup("failed-long-ago.example", "dns", False, error="SERVFAIL", fetched_at=_ago(hours=3)))
    month = timedelta(days=30)
    names = ["old.example", "new.example", "failed-recently.example", "failed-long-ago.example"]
    fresh = cache.get_many(names, "dns", max_age=month)
    assert set(fresh) == {"new.example", "failed-recently.example"}
    # seconds work as well as timedeltas
    assert cache.get("new.example", "dns", max_age=3 * 86400) is not None
    assert cache.get("new.example", "dns", max_age=86400) is None
    # any age (offline mode): everything, failures included
    assert set(cache.get_many(names, "dns", max_age=None, failure_max_age=None)) == set(names)
    # stale rows are kept until explicitly dropped
    assert cache.count() == 4
    assert cache.delete_older_than(timedelta(days=30)) == 1
    assert cache.count() == 3


def test_wal_mode_on_files(tmp_path):
    path = tmp_path / "sub" / "c.sqlite"
    cache = LookupCache(path)
    cache.put(Lookup("a.example", "dns", True, {}))
    assert cache.journal_mode == "wal"
    assert path.with_name("c.sqlite-wal").exists()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_persists_across_instances_and_get_many_chunks(tmp_path):
    path = tmp_path / "c.sqlite"
    with LookupCache(path) as writer:
        writer.put_many([Lookup(f"d{i}.example", "dns", True, {"i": i}) for i in range(1234)])
    with LookupCache(path) as reader:
        found = reader.get_many([f"d{i}.example" for i in range(1300)], "dns", max_age=3600)
    assert len(found) == 1234
    assert found["d1000.example"].data == {"i": 1000}


def test_concurrent_readers_see_whole_records_while_writer_writes(tmp_path):
    path = tmp_path / "c.sqlite"
    writer = LookupCache(path)
    writer.put(Lookup("seed.example", "dns", True, {"n": 0}))
    stop = threading.Event()
    problems: list[str] = []
    reads = [0, 0]

    def read(slot: int) -> None:
        reader = LookupCache(path, timeout=5)  # its own connection, as another process would
        try:
            while not stop.is_set():
                got = reader.get_many([f"w{i}.example" for i in range(300)], "dns")
                for name, lk in got.items():
                    if lk.data.get("payload") != "x" * 200 or lk.domain != name:
                        problems.append(name)
                reads[slot] += 1
        except Exception as exc:  # any locking error is a failure of the test
            problems.append(repr(exc))
        finally:
            reader.close()

    threads = [threading.Thread(target=read, args=(s,)) for s in range(2)]
    for t in threads:
        t.start()
    for i in range(300):
        writer.put(Lookup(f"w{i}.example", "dns", True, {"payload": "x" * 200}))
    stop.set()
    for t in threads:
        t.join(10)
    writer.close()
    assert problems == []
    assert min(reads) > 0


def test_schema_version_mismatch_is_explained(tmp_path):
    path = tmp_path / "c.sqlite"
    LookupCache(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(sqlite3.DatabaseError, match="schema version 99"):
        LookupCache(path)


def test_default_cache_path_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LINKDETECTOR_CACHE", str(tmp_path / "x.sqlite"))
    assert default_cache_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("LINKDETECTOR_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "linkdetector" / "lookups.sqlite"


def test_non_finite_numbers_survive_the_round_trip(tmp_path):
    with LookupCache(tmp_path / "c.sqlite") as cache:
        cache.put(Lookup("nan.example", "pages", True, {"ratio": float("nan"), "big": float("inf")}))
        back = cache.get("nan.example", "pages")
    assert back.data["big"] == float("inf") and back.data["ratio"] != back.data["ratio"]
