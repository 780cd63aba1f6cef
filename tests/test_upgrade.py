"""`drill upgrade FILE`: what it prints, what it writes, what it refuses (and its exit codes)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drill import cli
from drill.engine.scenario import FORMAT_VERSION
from drill.loading import load_scenario, validate_files

FORMAT1 = Path(__file__).parent / "fixtures" / "format1"
BUNDLED = Path(__file__).parent.parent / "scenarios"


def drill(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def listing(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    shutil.copyfile(FORMAT1 / "tiny.toml", path)
    return path


def test_upgrade_prints_each_change_at_its_line_and_says_it_upgraded(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    shutil.copyfile(FORMAT1 / "old-workarounds.toml", path)
    code, out, err = drill(capsys, "upgrade", str(path))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{path}:8: meta.format: added `format = {FORMAT_VERSION}`"
    assert f"{path}:93: endings[1].id: 'halted' -> 'halted_ending' ('halted' is reserved in " \
           "format 2)" in lines
    assert lines[-1] == f"upgraded {path} to format {FORMAT_VERSION}"
    # Every line is about the file, in file order.
    numbers = [int(line.split(":")[1]) for line in lines[:-1]]
    assert numbers == sorted(numbers)


def test_a_second_upgrade_says_up_to_date_and_changes_no_byte(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    shutil.copyfile(FORMAT1 / "old-workarounds.toml", path)
    assert drill(capsys, "upgrade", str(path))[0] == 0
    written = listing(tmp_path)
    assert drill(capsys, "upgrade", str(path)) == (0, f"{path}: already format 2\n", "")
    assert drill(capsys, "upgrade", "--check", str(path)) == (0, f"{path}: already format 2\n", "")
    assert listing(tmp_path) == written


def test_every_bundled_scenario_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(path) for path in BUNDLED.glob("*.toml"))
    code, out, _ = drill(capsys, "upgrade", "--check", *files)
    assert code == 0
    assert out.splitlines() == [f"{file}: already format {FORMAT_VERSION}" for file in files]


def test_check_says_what_would_change_writes_nothing_and_exits_1(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    before = listing(tiny.parent)
    code, out, _ = drill(capsys, "upgrade", "--check", str(tiny))
    assert code == 1
    assert out.splitlines() == [
        f"{tiny}:1: meta.format: added `format = 2`",
        f"{tiny}: format 1: `drill upgrade {tiny}` rewrites it as format 2"]
    assert listing(tiny.parent) == before


def test_upgrade_leaves_nothing_else_in_the_folder_and_keeps_the_mode(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    tiny.chmod(0o640)
    assert drill(capsys, "upgrade", str(tiny))[0] == 0
    assert sorted(path.name for path in tiny.parent.iterdir()) == ["tiny.toml"]
    assert tiny.stat().st_mode & 0o777 == 0o640
    assert tiny.read_text(encoding="utf-8").startswith("[meta]\nformat = 2\nid = \"tiny\"\n")


@pytest.mark.parametrize("write, expected", [
    (lambda text: text.replace("[meta]\n", "[meta]\nformat = 1   # old\n"),
     "[meta]\nformat = 2   # old\nid = \"tiny\""),
    (lambda text: "\ufeff" + text.replace("\n", "\r\n"), "\ufeff[meta]\r\nformat = 2\r\nid"),
    (lambda text: text.replace("[meta]\nid", "[meta]  # who\n\nid"),
     "[meta]  # who\nformat = 2\n\nid"),
])
def test_upgrade_writes_the_version_as_the_file_is_written(
        capsys: pytest.CaptureFixture[str], tiny: Path, write, expected: str) -> None:
    tiny.write_bytes(write(tiny.read_text(encoding="utf-8")).encode())
    assert drill(capsys, "upgrade", str(tiny))[0] == 0
    assert tiny.read_bytes().decode().startswith(expected)
    assert load_scenario(tiny).meta.format == FORMAT_VERSION


def test_an_inline_meta_table_gets_the_version_inside_it(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    text = tiny.read_text(encoding="utf-8")
    head, rest = text.split("\n[", 1)
    keys = [line for line in head.splitlines()[1:] if line.strip()]
    tiny.write_text("meta = { " + ", ".join(keys) + " }\n\n[" + rest, encoding="utf-8")
    assert drill(capsys, "upgrade", str(tiny))[0] == 0
    assert tiny.read_text(encoding="utf-8").startswith("meta = { format = 2, id = \"tiny\"")
    assert load_scenario(tiny).meta.format == FORMAT_VERSION


@pytest.mark.parametrize("content, message", [
    (b"x = [\n", ":2: invalid TOML: Invalid value (at the end of the file); the file is unchanged"),
    (b"\xff\xfe[meta]\n", ":1: not UTF-8 text: invalid byte 0xff at byte 0; the file is unchanged"),
    (b"scenario = \"tiny\"\nseed = 1\nsteps = []\n",
     ": a play script (steps, no [meta]): play scripts have no format version, there is nothing "
     "to upgrade"),
    (b"[meta]\nformat = 3\nid = \"x\"\n",
     ":2: meta.format: format 3 is newer than this drill knows (it reads formats 1 to 2): "
     "upgrade drill to play this file; the file is unchanged"),
])
def test_a_file_that_cannot_be_upgraded_gets_one_line_and_exit_1_and_stays_as_it_was(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    code, out, err = drill(capsys, "upgrade", str(path))
    assert (code, out) == (1, "")
    assert err == f"drill upgrade: {path}{message}\n"
    assert listing(tmp_path) == {"bad.toml": content}


def test_a_scenario_with_errors_is_refused_at_its_first_error(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    text = tiny.read_text(encoding="utf-8")
    tiny.write_text(text.replace('available_when = "fired.alert"', 'available_when = "fired.nope"'),
                    encoding="utf-8")
    before = tiny.read_bytes()
    code, out, err = drill(capsys, "upgrade", str(tiny))
    assert code == 1 and out == ""
    assert err.startswith(f"drill upgrade: {tiny}:")
    assert "unknown event 'nope'" in err and err.endswith("; the file is unchanged\n")
    assert len(err.splitlines()) == 1
    assert tiny.read_bytes() == before


def test_a_missing_file_a_folder_and_a_link_are_refused(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    folder = tiny.parent
    (folder / "dir.toml").mkdir()
    (folder / "link.toml").symlink_to(tiny)
    before = tiny.read_bytes()
    code, out, err = drill(capsys, "upgrade", str(folder / "none.toml"), str(folder / "dir.toml"),
                           str(folder / "link.toml"))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"drill upgrade: {folder}/none.toml: no such file; the file is unchanged",
        f"drill upgrade: {folder}/dir.toml: is a directory, not a TOML file; the file is unchanged",
        f"drill upgrade: {folder}/link.toml: a symbolic link; upgrade the file it points to"]
    assert tiny.read_bytes() == before and (folder / "link.toml").is_symlink()


def test_good_files_are_upgraded_beside_a_bad_one_and_the_exit_says_one_failed(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    bad = tiny.parent / "bad.toml"
    bad.write_text("not toml at all\n", encoding="utf-8")
    code, out, err = drill(capsys, "upgrade", str(bad), str(tiny))
    assert code == 1
    assert out.splitlines()[-1] == f"upgraded {tiny} to format 2"
    assert err.startswith(f"drill upgrade: {bad}:1:")
    assert load_scenario(tiny).meta.format == FORMAT_VERSION


def test_a_hostile_file_name_and_key_never_reach_the_terminal_raw(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b]52;c;x\x07.toml"
    path.write_text('[meta]\n"\x1b[31m" = 1\n', encoding="utf-8")
    code, out, err = drill(capsys, "upgrade", str(path))
    assert code == 1 and "\x1b" not in out + err and "\x07" not in err


def test_a_file_that_changes_while_being_upgraded_is_not_overwritten(tiny: Path) -> None:
    from drill.upgrade import UpgradeRefused, plan_upgrade, write_upgrade

    plan = plan_upgrade(tiny)
    tiny.write_text(tiny.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
    edited = tiny.read_bytes()
    with pytest.raises(UpgradeRefused, match="changed while it was being upgraded"):
        write_upgrade(plan)
    assert tiny.read_bytes() == edited


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_a_folder_that_cannot_be_written_leaves_the_file_as_it_was(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    before = tiny.read_bytes()
    tiny.parent.chmod(0o500)
    try:
        code, _, err = drill(capsys, "upgrade", str(tiny))
    finally:
        tiny.parent.chmod(0o700)
    assert code == 1 and "cannot write it" in err and "it is unchanged" in err
    assert tiny.read_bytes() == before


def test_validate_refuses_a_newer_format_at_its_line(
        capsys: pytest.CaptureFixture[str], tiny: Path) -> None:
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("[meta]\n", "[meta]\nformat = 9\n"),
                    encoding="utf-8")
    code, out, _ = drill(capsys, "validate", str(tiny))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{tiny}:2: meta.format: format 9 is newer than this drill knows (it reads formats 1 "
        "to 2): upgrade drill to play this file")


@pytest.mark.parametrize("value", ["0", "true", "2.0", "-1", '"2"'])
def test_a_format_that_is_not_a_version_is_refused(tiny: Path, value: str) -> None:
    tiny.write_text(tiny.read_text(encoding="utf-8").replace(
        "[meta]\n", f"[meta]\nformat = {value}\n"), encoding="utf-8")
    problems = validate_files([str(tiny)])
    assert [(p.line, p.field, p.note) for p in problems] == [(2, "meta.format", False)]
