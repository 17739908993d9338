"""The detector's exception tree.

Everything the library raises on purpose derives from :class:`DetectorError`, so a
caller (the CLI, the app) can catch one class and show the message, which always names
what was wrong and where (file, line, column) and what was expected.

    DetectorError
    ├── InputError                  a file the user gave cannot be used
    │   ├── EmptyInputError         empty or header-only file
    │   ├── UnrecognisedFormatError header matches no known export format
    │   └── MalformedRowsError      rows that could not be read (fatal only with strict)
    ├── DisavowError
    │   └── DisavowValidationError  a disavow file Google would reject
    ├── LookupFailed                a network lookup failed (recorded, normally not raised)
    └── ModelError                  a model artifact that does not fit its features
"""

from __future__ import annotations


class DetectorError(Exception):
    """Base class of every error the detector raises on purpose."""


class InputError(DetectorError):
    """A file given by the user cannot be used; the message names the file."""


class EmptyInputError(InputError):
    """The file is empty or has a header but no rows."""


class UnrecognisedFormatError(InputError):
    """The file's header matches no known export format."""


class MalformedRowsError(InputError):
    """Rows could not be read; raised only in strict mode, otherwise they are reported."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        #: the :class:`detector.ingest.RowProblem` records that caused the error
        self.problems = problems or []


class DisavowError(DetectorError):
    """A problem with reading, merging or writing a disavow file."""


class DisavowValidationError(DisavowError):
    """The disavow file would be rejected by Google; ``problems`` lists why."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        #: the individual problems, each naming the line it concerns
        self.problems = problems or []


class LookupFailed(DetectorError):
    """A network lookup failed; enrichment records these as 'unknown' with the reason."""


class ModelError(DetectorError):
    """A model artifact cannot be used (missing, wrong version, features do not match)."""
