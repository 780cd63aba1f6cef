"""Files on disk: written so that a crash or a full disk never leaves a half-written one behind,
and read so that an untrusted one (a FIFO, a device, a huge file) can never hang drill.

Saves and postmortems go through :func:`atomic_write_text`: the text is written to a temporary
file in the same directory, flushed to disk, then renamed over the target in one step, and the
directory is flushed so the rename itself survives a power cut (ECOSYSTEM.md §10).  A new save
or a new starter scenario is created with :func:`create_new_text`, which never replaces a file.
Scenario files, play scripts and saves are read with :func:`read_small_file`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from .engine.text import escaped


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``text`` atomically; return the path written.

    Readers see either the old file or the whole new one, never a partial write.  On any
    failure the old file is left as it was, the temporary file is removed and the error is
    raised again.  Line endings are written exactly as given (no newline translation), so the
    bytes are the same on every platform.
    """
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_write_text`); return the
    path written."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    # Same directory as the target: os.replace is only atomic within one filesystem.
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
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


def create_new_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Create ``path`` holding ``text``, never replacing a file: two writers can never share one.

    The text is written to a temporary file in the same directory and flushed, then linked to
    ``path`` in one step: the link fails with :class:`FileExistsError` if ``path`` exists (a
    symlink included), so of two sessions choosing the same name only one gets it.  On any
    failure (a full disk, say) nothing is left behind, neither ``path`` nor the temporary file,
    so the caller can simply try again.  On a filesystem without hard links the file is created
    with ``O_EXCL`` and removed again if writing it fails.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        try:
            os.link(temp_name, target)
        except FileExistsError:
            raise
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            _create_exclusively(target, text, encoding)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    _fsync_directory(directory)
    return target


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK,
                  errno.ENOSYS}


def _create_exclusively(target: Path, text: str, encoding: str) -> None:
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)  # ours: O_EXCL made it
        raise


# -- reading untrusted files -----------------------------------------------------------------

SHOWN_PATH = 400
"""Longest path shown in a message, in characters (escapes included)."""


def shown(path: str | os.PathLike[str]) -> str:
    """A path as messages show it: on one line, any control character or escape sequence in it
    made visible (``\\e]0;…``), cut at :data:`SHOWN_PATH` characters.  File names are untrusted
    too: a folder of saves or scenarios can hold any name."""
    return escaped(os.fspath(path), SHOWN_PATH)



class UnreadableFile(Exception):
    """A file that cannot be read as a small regular file.

    ``str(error)`` is the reason, written to follow the file's name: ``"no such file"``,
    ``"is a FIFO (named pipe), not a save file"``, ``"too large: 2,000,000 bytes, the limit is
    1,048,576"``.
    """


def kind_of(mode: int) -> str:
    """What a file is, from its ``st_mode``: 'a directory', 'a FIFO (named pipe)'..."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_small_file(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or :class:`UnreadableFile`.

    The file is checked with ``stat`` before it is opened (opening a FIFO would block), opened
    non-blocking and without becoming a controlling terminal, checked again once open (it may
    have been swapped), and at most ``limit + 1`` bytes are ever read (it may be growing).

    Args:
        path: the file.
        limit: the largest size accepted, in bytes.
        what: what the file should be, for the message about a non-regular one ('TOML file').
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except PermissionError:
        raise UnreadableFile("permission denied: cannot read it") from None
    except (OSError, ValueError) as error:
        raise UnreadableFile(f"cannot read it: {getattr(error, 'strerror', None) or error}") \
            from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"is {kind_of(info.st_mode)}, not a {what}")
    if info.st_size > limit:
        raise UnreadableFile(f"too large: {info.st_size:,} bytes, the limit is {limit:,}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except PermissionError:
        raise UnreadableFile("permission denied: cannot read it") from None
    except OSError as error:
        raise UnreadableFile(f"cannot open it: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnreadableFile(f"is not a regular file, not a {what}")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise UnreadableFile(f"cannot read it: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnreadableFile(f"too large: more than {limit:,} bytes")
    return data


def regular_files(folder: Path, suffix: str) -> list[tuple[float, Path]]:
    """``(mtime, path)`` of every regular file in ``folder`` whose name ends with ``suffix``.

    Nothing is opened: a FIFO, a directory or a device with that name is left out (opening a
    FIFO blocks), and so is an entry that vanishes while the folder is read.  A missing or
    unreadable folder gives an empty list.
    """
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.endswith(suffix):
            continue
        try:
            info = entry.stat()  # follows a symlink, as opening would
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((info.st_mtime, Path(entry.path)))
    return found


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
