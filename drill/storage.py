"""Writing files so that a crash or a full disk never leaves a half-written one behind.

Saves and postmortems go through :func:`atomic_write_text`: the text is written to a temporary
file in the same directory, flushed to disk, then renamed over the target in one step, and the
directory is flushed so the rename itself survives a power cut (ECOSYSTEM.md §10).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``text`` atomically; return the path written.

    Readers see either the old file or the whole new one, never a partial write.  On any
    failure the old file is left as it was, the temporary file is removed and the error is
    raised again.  Line endings are written exactly as given (no newline translation), so the
    bytes are the same on every platform.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    # Same directory as the target: os.replace is only atomic within one filesystem.
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file 0600: keep the mode of the file being replaced, or give a
        # new one the usual rw-r--r-- (a postmortem is meant to be shared).
        os.chmod(temp_name, _mode_of(target))
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)
    return target


def _mode_of(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _fsync_directory(directory: Path) -> None:
    """Flush the directory entry of a rename (POSIX only; Windows cannot open directories)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
