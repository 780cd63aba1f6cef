"""atomic_write_text: a save or postmortem is either the old file or the whole new one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from drill import storage
from drill.storage import atomic_write_text


def leftovers(directory: Path) -> list[str]:
    """Temporary files a write may have left behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_exact_text_and_creates_the_file(tmp_path: Path) -> None:
    target = tmp_path / "postmortem.md"
    text = "# Postmortem\r\nline with CRLF kept\nünïcödé\n"
    assert atomic_write_text(target, text) == target
    assert target.read_bytes() == text.encode("utf-8")
    assert leftovers(tmp_path) == []


def test_replaces_an_existing_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "save.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_is_readable_by_others_not_private_like_a_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "postmortem.md"
    atomic_write_text(target, "shared")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_relative_path_in_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    atomic_write_text("here.md", "x")
    assert (tmp_path / "here.md").read_text() == "x"


def test_failure_while_flushing_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "save.json"
    target.write_text("old save")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new save " * 1000)
    assert target.read_text() == "old save"
    assert leftovers(tmp_path) == []


def test_failure_halfway_through_the_text_leaves_old_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("old notes")
    # The first part encodes, the rest cannot: the write fails part-way through.
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "a" * 100_000 + "é", encoding="ascii")
    assert target.read_text() == "old notes"
    assert leftovers(tmp_path) == []


def test_failure_at_the_rename_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "save.json"
    target.write_text("old save")

    def refuse(src: str, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(storage.os, "replace", refuse)
    with pytest.raises(PermissionError):
        atomic_write_text(target, "new save")
    assert target.read_text() == "old save"
    assert leftovers(tmp_path) == []


def test_interrupt_during_write_cleans_up_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "save.json"
    target.write_text("old save")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(storage.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new save")
    assert target.read_text() == "old save"
    assert leftovers(tmp_path) == []


def test_missing_directory_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nowhere" / "file.md", "x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="directory fsync is POSIX only")
def test_the_directory_is_flushed_after_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flushed: list[int] = []
    real_fsync = os.fsync
    directory_fds: set[int] = set()
    real_open = os.open

    def tracking_open(path: object, flags: int, *args: object) -> int:
        fd = real_open(path, flags, *args)  # type: ignore[arg-type]
        if Path(str(path)) == tmp_path:
            directory_fds.add(fd)
        return fd

    def tracking_fsync(fd: int) -> None:
        flushed.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(storage.os, "open", tracking_open)
    monkeypatch.setattr(storage.os, "fsync", tracking_fsync)
    atomic_write_text(tmp_path / "f.md", "x")
    # The file itself, then its directory, so the rename survives a power cut.
    assert len(flushed) == 2
    assert flushed[-1] in directory_fds
