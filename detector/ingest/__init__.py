"""Ingest: backlink exports of every major tool into ONE canonical Backlinks frame.

>>> from detector.ingest import read_export
>>> result = read_export(b"Source Url,Anchor text,Target Url\\n"
...                      b"https://blog.example.org/post,Velora,https://velora-bikes.com/\\n",
...                      name="bing.csv")
>>> result.formats, result.frame.loc[0, "domain"], int(result.frame.loc[0, "source_line"])
(('bing_backlinks',), 'example.org', 2)

Formats are recognised from the header (case, spacing and punctuation ignored, with
aliases), wherever it sits in the first 20 lines; encodings (UTF-16 with BOM, UTF-8 with
or without BOM, cp1252) and delimiters (comma, tab, semicolon) are detected. Zips and
.xlsx workbooks are opened and every recognised member or sheet read. ``detector
formats`` (the CLI) prints :func:`known_formats`.
"""

from detector.ingest.formats import ExportFormat, FormatMatch, detect_format, known_formats
from detector.ingest.read import read_export, read_exports
from detector.ingest.results import FileError, IngestReport, PartInfo, ReadResult, RowProblem

__all__ = [
    "read_export",
    "read_exports",
    "known_formats",
    "detect_format",
    "ExportFormat",
    "FormatMatch",
    "ReadResult",
    "PartInfo",
    "IngestReport",
    "FileError",
    "RowProblem",
]
