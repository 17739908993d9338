"""Reviewed domain tables: the person's last word on each referring domain.

A reviewed table is the domain CSV that ``detector score --out`` wrote (or the app's
export), opened in a spreadsheet, with a ``decision`` column filled in where the person
disagrees with the verdict: ``keep`` (never disavow) or ``disavow``. Reading it back
undoes the formula escaping of :mod:`detector.output` and checks every decision, naming
the file, line and column of anything it cannot use.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from detector.errors import InputError
from detector.keys import domain_key
from detector.schema import DISAVOW, DOM, DOMAIN, KEEP, VERDICTS

__all__ = ["read_reviewed", "DECISION_WORDS"]

#: Spellings people use in a decision column, mapped to the two decisions.
DECISION_WORDS: dict[str, str] = {
    KEEP: KEEP, "keep": KEEP, "allow": KEEP, "ok": KEEP, "good": KEEP, "fine": KEEP,
    "no": KEEP, "false": KEEP, "0": KEEP,
    DISAVOW: DISAVOW, "disavow": DISAVOW, "bad": DISAVOW, "toxic": DISAVOW, "yes": DISAVOW,
    "true": DISAVOW, "1": DISAVOW,
}


def _unescape(series: pd.Series) -> pd.Series:
    text = series.astype("string")
    escaped = text.str.match(r"^'[=+\-@\t\r]", na=False)
    return text.where(~escaped, text.str.slice(1))


def read_reviewed(path: str | Path) -> pd.DataFrame:
    """Read a reviewed domain CSV into a Domains frame with ``domain``, ``verdict``, ``decision``.

    Required: a ``domain`` column, and ``verdict`` or ``decision``. Domains are re-keyed
    (a pasted URL becomes its registrable domain). Unknown verdicts or decisions raise
    :class:`~detector.errors.InputError` naming the line and column.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV ({exc})") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path}: the file is empty; expected a header with 'domain'") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if DOMAIN not in frame.columns:
        raise InputError(f"{path}: no 'domain' column; the header has: {', '.join(frame.columns)}")
    if DOM.VERDICT not in frame.columns and DOM.DECISION not in frame.columns:
        raise InputError(f"{path}: needs a 'verdict' or a 'decision' column besides 'domain'")
    if frame.empty:
        raise InputError(f"{path}: the header has no rows under it")
    for column in frame.columns:
        frame[column] = _unescape(frame[column])
    frame[DOMAIN] = frame[DOMAIN].fillna("").map(domain_key)
    # line numbers: the header is line 1, so row i of the frame is line i + 2
    for index, value in frame[DOMAIN].items():
        if not value:
            raise InputError(f"{path}, line {index + 2}, column 'domain': empty or not a domain")
    if DOM.VERDICT in frame.columns:
        verdicts = frame[DOM.VERDICT].str.strip().str.lower()
        bad = verdicts.notna() & ~verdicts.isin(VERDICTS)
        if bad.any():
            index = bad.idxmax()
            raise InputError(f"{path}, line {index + 2}, column 'verdict': "
                             f"{frame.at[index, DOM.VERDICT]!r} is not one of {', '.join(VERDICTS)}")
        frame[DOM.VERDICT] = verdicts
    else:
        frame[DOM.VERDICT] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if DOM.DECISION in frame.columns:
        words = frame[DOM.DECISION].str.strip().str.lower()
        mapped = words.map(DECISION_WORDS)
        bad = words.notna() & (words != "") & mapped.isna()
        if bad.any():
            index = bad.idxmax()
            raise InputError(f"{path}, line {index + 2}, column 'decision': "
                             f"{frame.at[index, DOM.DECISION]!r} is neither 'keep' nor 'disavow'")
        frame[DOM.DECISION] = mapped.astype("string")
    else:
        frame[DOM.DECISION] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if DOM.REASONS not in frame.columns:
        frame[DOM.REASONS] = ""
    return frame
