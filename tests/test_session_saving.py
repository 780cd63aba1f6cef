"""Saving never costs a run: a failed save keeps every action, says why, and is tried again;
saves are created exclusively, so two runs never share a file."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from drill import storage
from drill.cli import main
from drill.engine.playscript import PlayScript
from drill.saves import read_save
from drill.session import GameSession, ScenarioSource

TINY = Path(__file__).parent / "fixtures" / "tiny.toml"
STARTED = dt.datetime(2026, 11, 27, 9, 30, 0)
STEPS = PlayScript.model_validate({"steps": [
    {"at": 3, "do": "start", "action": "fix"},
    {"at": 4, "do": "page", "person": "ops"},
    {"at": 5, "do": "update", "audience": "support", "impact": "errors", "next_update": 15},
]}).steps


@pytest.fixture(scope="module")
def source() -> ScenarioSource:
    return ScenarioSource.open(str(TINY))


def start(source: ScenarioSource, folder: Path, seed: int = 1) -> GameSession:
    return GameSession.start(source, seed=seed, pace=1.0, saves_dir=folder, started=STARTED)


class FullDisk:
    """An atomic writer that fails like a full disk while ``full`` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, error: OSError) -> None:
        self.full = True
        self.error = error
        real = storage.atomic_write_text

        def write(path, text, encoding="utf-8"):
            if self.full:
                raise self.error
            return real(path, text, encoding)

        monkeypatch.setattr(storage, "atomic_write_text", write)


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   PermissionError(errno.EACCES, "Permission denied")])
def test_a_failed_save_keeps_the_action_says_why_and_is_retried(source, tmp_path, monkeypatch,
                                                                 error) -> None:
    session = start(source, tmp_path)
    session.act(STEPS[0])
    saved = session.save_path.read_text()
    disk = FullDisk(monkeypatch, error)

    session.act(STEPS[1])  # no exception: the board goes on
    session.advance_to(4.5)
    assert not session.save()
    assert session.save_error == f"cannot save the run: {error.strerror}"
    assert session.record.steps == STEPS[:2], "the action shown is kept in memory"
    assert session.save_path.read_text() == saved, "the last good save is intact"

    disk.full = False
    session.act(STEPS[2])  # the next save writes everything held so far
    assert session.save_error is None
    assert read_save(session.save_path).steps == STEPS
    assert GameSession.resume(session.save_path).run.record().log == session.run.record().log


def test_the_end_of_a_run_on_a_full_disk_is_scored_and_saved_later(source, tmp_path,
                                                                   monkeypatch) -> None:
    session = start(source, tmp_path)
    for step in STEPS:
        session.act(step)
    disk = FullDisk(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    session.advance_to(120)  # out of time: the end is scored and saved at once
    assert session.run.finished_run and session.card is not None
    assert session.save_error and "No space left" in session.save_error
    assert not session.save_path.with_suffix(".md").exists()
    assert not read_save(session.save_path).finished

    disk.full = False
    assert session.save()
    assert session.save_path.with_suffix(".md").read_text() == session.postmortem
    record = read_save(session.save_path)
    assert record.finished and record.postmortem == str(session.save_path.with_suffix(".md"))
    assert record.result["overall"] == round(session.card.overall, 1)


def test_two_runs_of_the_same_scenario_and_seed_in_the_same_second_keep_both(source,
                                                                             tmp_path) -> None:
    first, second = start(source, tmp_path), start(source, tmp_path)
    assert first.save_path != second.save_path
    first.act(STEPS[0])
    second.act(STEPS[1])
    assert read_save(first.save_path).steps == [STEPS[0]]
    assert read_save(second.save_path).steps == [STEPS[1]]
    assert second.save_path.name == first.save_path.stem + "-2.json"


def test_a_name_taken_by_a_link_is_never_written_through(source, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone else's file")
    stem = f"tiny-{STARTED:%Y%m%d-%H%M%S}-seed1"
    (tmp_path / "saves").mkdir()
    (tmp_path / "saves" / f"{stem}.json").symlink_to(elsewhere)
    session = start(source, tmp_path / "saves")
    assert session.save_path.name == f"{stem}-2.json"
    assert elsewhere.read_text() == "someone else's file"


def test_a_new_file_on_a_full_disk_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        storage.create_new_text(tmp_path / "new.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_create_new_text_refuses_an_existing_file(tmp_path) -> None:
    target = tmp_path / "taken.json"
    target.write_text("first")
    with pytest.raises(FileExistsError):
        storage.create_new_text(target, "second")
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["taken.json"]


def test_drill_new_on_a_full_disk_leaves_no_file_and_a_retry_works(tmp_path, monkeypatch,
                                                                    capsys) -> None:
    real_fsync = storage.os.fsync

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    assert main(["new", "my-drill", "--dir", str(tmp_path)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setattr(storage.os, "fsync", real_fsync)
    assert main(["new", "my-drill", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "my-drill.toml").read_text().startswith("#:schema")



def test_a_save_file_is_never_opened_for_writing(source, tmp_path, monkeypatch) -> None:
    """Every save goes to a fresh temporary file that is then linked or renamed into place, so
    two sessions can never write into the same open file, and a reader never sees half of one."""
    opened: list[tuple[str, int]] = []
    real_open, real_mkstemp = storage.os.open, storage.tempfile.mkstemp

    def recording_open(path, flags, *args, **kwargs):
        opened.append((str(path), flags))
        return real_open(path, flags, *args, **kwargs)

    def recording_mkstemp(*args, **kwargs):
        handle, name = real_mkstemp(*args, **kwargs)
        opened.append((name, os.O_WRONLY))
        return handle, name

    monkeypatch.setattr(storage.os, "open", recording_open)
    monkeypatch.setattr(storage.tempfile, "mkstemp", recording_mkstemp)
    session = start(source, tmp_path)
    for step in STEPS:
        session.act(step)
    session.advance_to(120)
    written = {path for path, flags in opened if flags & (os.O_WRONLY | os.O_RDWR)}
    assert written, "the writes were not seen"
    assert str(session.save_path) not in written
    assert str(session.save_path.with_suffix(".md")) not in written
    assert all(Path(path).name.endswith(".tmp") for path in written)


def test_a_run_the_facilitator_ends_is_saved_as_unfinished_and_never_the_best(source,
                                                                               tmp_path) -> None:
    from drill.engine.playscript import FacilitatorAct
    from drill.tui.listing import best_run, save_cards

    ended = start(source, tmp_path, seed=1)
    ended.act(STEPS[0])
    ended.act(FacilitatorAct(at=4, do="facilitate", act="end"))
    played = GameSession.start(source, seed=2, pace=1.0, saves_dir=tmp_path,
                               started=STARTED + dt.timedelta(minutes=5))
    for step in STEPS:
        played.act(step)
    played.advance_to(source.scenario.clock.limit)
    assert read_save(ended.save_path).result["outcome"] == "unfinished"
    assert read_save(played.save_path).result["outcome"] in ("resolved", "out_of_time", "failed")
    cards = save_cards(tmp_path)
    assert {c.unfinished for c in cards} == {True, False}
    best, count = best_run(cards, "tiny")
    assert best is not None and best.path == played.save_path and count == 1
