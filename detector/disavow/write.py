"""Write a disavow file safely: validated first, then atomically replaced.

The text is validated (:func:`validate_disavow`) before anything touches the disk; an
invalid file raises :class:`DisavowValidationError` and nothing is written. The bytes go
to a temporary file in the target directory, are flushed to disk, and replace the target
in one ``os.replace``, so a crash never leaves half a file where the old one was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from detector.errors import DisavowError
from detector.disavow.model import DisavowFile
from detector.disavow.render import render_disavow
from detector.disavow.validate import validate_disavow

__all__ = ["write_disavow"]


def write_disavow(content: DisavowFile | str, path: "str | os.PathLike[str]") -> Path:
    """Validate ``content`` and write it to ``path`` (must end in ``.txt``) atomically.

    ``content`` is a :class:`DisavowFile` (rendered with :func:`render_disavow`) or
    ready text. Written as UTF-8 without BOM, with ``\\n`` line ends. Returns the path.
    Raises :class:`DisavowValidationError` for content Google would reject and
    :class:`DisavowError` for a bad file name or a failed write.
    """
    target = Path(path)
    if not target.name.lower().endswith(".txt") or target.name.lower() == ".txt":
        raise DisavowError(f"{target}: a disavow file name must end in '.txt'")
    text = render_disavow(content) if isinstance(content, DisavowFile) else str(content)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    validate_disavow(text, source=str(target))
    data = text.encode("utf-8")
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=directory)
    except OSError as exc:
        raise DisavowError(f"{target}: cannot write the file ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except OSError as exc:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise DisavowError(f"{target}: cannot write the file ({exc.strerror or exc})") from exc
    return target
