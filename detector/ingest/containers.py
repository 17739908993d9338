"""Containers: zip archives of CSVs (Google Search Console) and .xlsx workbooks.

Only the unpacking lives here: members and sheets are handed back as bytes or rows for
the ordinary readers. Names follow ``archive.zip!member.csv`` / ``book.xlsx!Sheet`` so
every row can say exactly where it came from.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
MAX_MEMBER_BYTES = 4 << 30  #: members larger than this are skipped (zip-bomb guard)


def is_zip(raw: bytes) -> bool:
    """True for any zip container (.zip and .xlsx alike)."""
    return raw.startswith(ZIP_MAGIC)


def is_xlsx(raw: bytes) -> bool:
    """True for an Office Open XML workbook."""
    if not is_zip(raw):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def zip_members(raw: bytes) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(member name, bytes) of every file in a zip, and reasons for members skipped."""
    members: list[tuple[str, bytes]] = []
    skipped: list[str] = []
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for info in archive.infolist():
            name = info.filename
            base = name.rsplit("/", 1)[-1]
            if info.is_dir() or name.startswith("__MACOSX/") or base.startswith("."):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                skipped.append(f"{name}: larger than {MAX_MEMBER_BYTES} bytes")
                continue
            members.append((name, archive.read(info)))
    return members, skipped


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_sheets(raw: bytes) -> list[tuple[str, list[list[str]]]]:
    """(sheet title, rows as text) for every worksheet; row i is Excel row i + 1."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            sheets.append((sheet.title, rows))
        return sheets
    finally:
        book.close()
