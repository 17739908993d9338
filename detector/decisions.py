"""The person's last word on referring domains, remembered between sessions.

A review is slow work; it must survive a browser refresh, a re-upload of the same export
and a newer export of the same site. Decisions (``keep`` = never disavow, ``disavow`` =
always disavow) are therefore stored per **profile** — the audited site's registrable
domain — and per referring domain, in a small SQLite file:

* default location ``~/.local/share/linkdetector/decisions.sqlite``;
* ``$LINKDETECTOR_HOME/decisions.sqlite`` when that variable is set;
* any path given to :class:`DecisionStore` (tests use temporary folders).

They are applied to an audit's Domains frame as the ``decision`` column (see
:func:`apply_decisions`) before :func:`detector.disavow_for`, and exported as a labels
CSV that ``detector train`` reads (:meth:`DecisionStore.export_labels`).

>>> import tempfile, pathlib
>>> store = DecisionStore(pathlib.Path(tempfile.mkdtemp()) / "d.sqlite")
>>> store.save("velora-bikes.com", "Spam.Example.XYZ", "disavow", verdict="suspicious")
>>> store.load("velora-bikes.com")
{'example.xyz': 'disavow'}
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from detector.errors import InputError
from detector.keys import domain_key
from detector.schema import DISAVOW, DOM, DOMAIN, KEEP

__all__ = [
    "DecisionStore",
    "DECISIONS",
    "HOME_ENV",
    "LABEL_COLUMNS",
    "apply_decisions",
    "default_home",
    "profile_key",
]

#: The two decisions a person can take.
DECISIONS: tuple[str, ...] = (KEEP, DISAVOW)
#: Environment variable that moves the user-data folder.
HOME_ENV = "LINKDETECTOR_HOME"
#: Columns of the labels CSV. The verdict is NOT called ``verdict``: ``detector train``
#: reads the first label column it finds in the order verdict, decision, label..., and
#: here the person's decision is the label, the verdict only context.
LABEL_COLUMNS: tuple[str, ...] = (DOMAIN, DOM.DECISION, "verdict_when_decided", "decided_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    profile TEXT NOT NULL,
    domain TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('keep', 'disavow')),
    verdict TEXT,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (profile, domain)
)
"""


def default_home() -> Path:
    """The user-data folder: ``$LINKDETECTOR_HOME`` or ``~/.local/share/linkdetector``."""
    env = os.environ.get(HOME_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".local" / "share" / "linkdetector"


def profile_key(site: object) -> str:
    """The profile a review belongs to: the registrable domain of the audited site.

    Accepts a domain, a URL or a :class:`~detector.signals.target.TargetSite`; returns
    ``""`` when there is no site (decisions are then kept under the empty profile).

    >>> profile_key("https://www.Velora-Bikes.com/shop")
    'velora-bikes.com'
    """
    if site is None:
        return ""
    registrable = getattr(site, "registrable_domain", None)
    if registrable is not None or hasattr(site, "hosts"):
        return str(registrable or "")
    return domain_key(str(site)) or ""


def _checked(decision: str) -> str:
    word = str(decision).strip().lower()
    if word not in DECISIONS:
        raise InputError(f"decision {decision!r} is neither 'keep' nor 'disavow'")
    return word


def _key(domain: str) -> str:
    key = domain_key(str(domain))
    if not key:
        raise InputError(f"{domain!r} is not a domain")
    return key


class DecisionStore:
    """Per-profile ``domain -> keep/disavow`` decisions in one SQLite file."""

    def __init__(self, path: str | Path | None = None) -> None:
        """Open (creating when needed) the store at ``path``, or the default location."""
        self.path = Path(path) if path is not None else default_home() / "decisions.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def load(self, profile: str) -> dict[str, str]:
        """``domain -> decision`` for ``profile`` (empty when nothing was decided)."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT domain, decision FROM decisions WHERE profile = ? ORDER BY domain",
                              (profile,)).fetchall()
        return dict(rows)

    def records(self, profile: str) -> pd.DataFrame:
        """Every decision of ``profile`` as a frame with the :data:`LABEL_COLUMNS`."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT domain, decision, verdict, decided_at FROM decisions "
                              "WHERE profile = ? ORDER BY domain", (profile,)).fetchall()
        frame = pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
        return frame.astype({c: "string" for c in LABEL_COLUMNS})

    def save(self, profile: str, domain: str, decision: str, *, verdict: str | None = None,
             now: datetime | None = None) -> None:
        """Remember ``decision`` (``keep``/``disavow``) on ``domain``; replaces an earlier one."""
        self.save_many(profile, {domain: decision}, verdicts={domain: verdict} if verdict else None, now=now)

    def save_many(self, profile: str, decisions: Mapping[str, str], *,
                  verdicts: Mapping[str, str | None] | None = None, now: datetime | None = None) -> None:
        """Remember several decisions at once (one transaction)."""
        stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
        verdicts = verdicts or {}
        rows = [(profile, _key(domain), _checked(decision), verdicts.get(domain), stamp)
                for domain, decision in decisions.items()]
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO decisions (profile, domain, decision, verdict, decided_at) "
                           "VALUES (?, ?, ?, ?, ?)", rows)

    def clear(self, profile: str, domain: str) -> bool:
        """Forget the decision on ``domain``; True when there was one."""
        with closing(self._connect()) as db, db:
            cursor = db.execute("DELETE FROM decisions WHERE profile = ? AND domain = ?", (profile, _key(domain)))
        return cursor.rowcount > 0

    def clear_profile(self, profile: str) -> int:
        """Forget every decision of ``profile``; returns how many there were."""
        with closing(self._connect()) as db, db:
            cursor = db.execute("DELETE FROM decisions WHERE profile = ?", (profile,))
        return cursor.rowcount

    def export_labels(self, profile: str, path: str | Path | None = None) -> str:
        """The decisions of ``profile`` as a labels CSV for ``detector train``.

        Columns :data:`LABEL_COLUMNS`; ``keep`` is a negative label, ``disavow`` a
        positive one. Returns the text and writes it to ``path`` when given.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(LABEL_COLUMNS)
        for row in self.records(profile).itertuples(index=False):
            writer.writerow(["" if pd.isna(value) else value for value in row])
        text = buffer.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def apply_decisions(domains: pd.DataFrame, decisions: Mapping[str, str]) -> pd.DataFrame:
    """A copy of ``domains`` with the ``decision`` column set from ``decisions``.

    Domains without a decision get NA (the verdict stands). Decisions about domains that
    are not in the frame are ignored here (they stay stored for a later export).

    >>> frame = pd.DataFrame({"domain": ["a.test", "b.test"]})
    >>> apply_decisions(frame, {"b.test": "keep"})["decision"].tolist()
    [<NA>, 'keep']
    """
    out = domains.copy()
    out[DOM.DECISION] = out[DOMAIN].map(dict(decisions)).astype("string")
    return out
