"""Rosters and links, the command line of `drill serve` and `drill join`, and what `drill join`
lets through to the player's terminal."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from drill import cli
from drill.serve.join import EscapeFilter, JoinError, download_name, websocket_url
from drill.serve.links import RosterError, make_roster, normal_public_url, origin_of

ROLES = ["commander", "comms", "ops"]


def test_every_seat_gets_its_own_unguessable_token():
    roster = make_roster(["red=Ana:commander,Bo:comms", "blue=Cy:ops"], ROLES)
    seats = list(roster.seats())
    tokens = [seat.token for seat in seats]
    assert len(set(tokens)) == len(tokens) == 4
    assert all(len(token) >= 32 for token in tokens)
    assert [seat.label for seat in seats] == ["Ana (commander)", "Bo (comms)", "Cy (ops)",
                                              "facilitator"]
    assert roster.by_token(seats[1].token) == seats[1]
    assert roster.by_token(seats[1].token[:-1]) is None
    assert roster.by_token("") is None
    assert make_roster(["red=Ana:commander"], ROLES).facilitator.token != roster.facilitator.token


@pytest.mark.parametrize(("spec", "message"), [
    ("red", "write it as NAME=PLAYER:ROLE"),
    ("../x=Ana:ops", "a team name is lower-case"),
    ("red=An\x1b]52;a:ops", "a name is 1 to 30 printable characters"),
    ("red=Ana (x):ops", "a name is 1 to 30"),
    ("red=Ana:boss", "role 'boss' is not one of this scenario's roles (commander, comms, ops"),
    ("red=Ana:ops,ana:comms", "two players have the same name"),
    ("red=Abcdefghijklmnopqrstuvwxyzabcd:" + "r" * 40, "longer than 60 characters"),
])
def test_a_bad_roster_is_refused_in_one_line(spec, message):
    with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        make_roster([spec], ROLES + ["r" * 40])
    assert "\n" not in str(error.value) and "\x1b" not in str(error.value)


def test_generated_teams_take_the_roles_in_turn():
    roster = make_roster([], ROLES, teams=2, seats=4)
    assert [team.name for team in roster.teams] == ["team-1", "team-2"]
    assert roster.teams[0].players == ["Player 1 (commander)", "Player 2 (comms)",
                                       "Player 3 (ops)", "Player 4 (commander)"]


@pytest.mark.parametrize(("url", "normal", "origin"), [
    ("https://Drill.Example.com/", "https://drill.example.com", "https://drill.example.com"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("https://drill.example.com:443", "https://drill.example.com:443",
     "https://drill.example.com"),
])
def test_public_urls(url, normal, origin):
    assert normal_public_url(url) == normal
    assert origin_of(normal) == origin


@pytest.mark.parametrize("url", ["ftp://x", "https://x/drill", "https://u:p@x", "https://x/?a=1",
                                 "x.example.com"])
def test_a_public_url_the_links_would_break_is_refused(url):
    with pytest.raises(RosterError):
        normal_public_url(url)


def run_cli(*arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(list(arguments))
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("arguments", "message"), [
    (("serve", "black-friday"), "no team: give --team"),
    (("serve", "black-friday", "--teams", "2", "--host", "0.0.0.0"),
     "binding 0.0.0.0 needs --public-url"),
    (("serve", "black-friday", "--team", "red=Ana:boss"), "role 'boss' is not one of"),
    (("serve", "no-such-scenario", "--teams", "1"), "unknown scenario 'no-such-scenario'"),
    (("serve", "black-friday", "--teams", "1", "--public-url", "https://x/sub"),
     "not under a path"),
])
def test_drill_serve_refuses_a_bad_game_day_before_it_starts(in_tmp, arguments, message):
    code, out, err = run_cli(*arguments)
    assert code == 1, (out, err)
    assert message in err and err.count("\n") == 1
    assert not (in_tmp / "saves").exists()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DRILL_SAVES_DIR", raising=False)
    return tmp_path


def test_drill_serve_prints_a_link_per_seat_and_saves_on_sigterm(in_tmp):
    process = subprocess.Popen(
        [sys.executable, "-m", "drill", "serve", "black-friday", "--team",
         "red=Ana:commander,Bo:comms", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Send each player"):
                break
        text = "".join(lines)
        assert "facilitator (keep this one to yourself): http://127.0.0.1:" in text
        assert "Ana (commander)" in text and "Bo (comms)" in text
        assert text.count("/s/") == 3 and ":0/" not in text  # --port 0: the real port
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "every run is saved" in out
    assert (in_tmp / "saves" / "red").is_dir()


def test_drill_join_refuses_what_is_not_a_link():
    for link in ("http://x/y", "ftp://x/s/abcdefabcdefabcdef", "http://x/s/short"):
        with pytest.raises(JoinError):
            websocket_url(link, 80, 24)
    url, origin, token = websocket_url("https://drill.example.com/s/" + "a" * 32, 500, 300)
    assert url == f"wss://drill.example.com/ws/{'a' * 32}?width=240&height=80"
    assert origin == "https://drill.example.com" and token == "a" * 32


SCREEN = ("\x1b[?1049h\x1b[2J\x1b[1;1H\x1b[38;2;255;0;0mRed\x1b[0m text \x1b(B\x1b7é"
          "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;title\x1b\\\x1bP+q544e\x1b\\\x9b31m\x1b_apc\x1b\\end")


def test_drill_join_passes_drawing_and_drops_what_talks_to_the_terminal():
    shown = EscapeFilter().feed(SCREEN)
    assert shown == ("\x1b[?1049h\x1b[2J\x1b[1;1H\x1b[38;2;255;0;0mRed\x1b[0m text \x1b(B\x1b7é"
                     "31mend")
    assert "52;" not in shown and "title" not in shown and "apc" not in shown


def test_the_filter_does_not_care_how_the_stream_is_cut():
    whole = EscapeFilter().feed(SCREEN)
    for size in (1, 2, 3, 7):
        cut = EscapeFilter()
        assert "".join(cut.feed(SCREEN[i:i + size]) for i in range(0, len(SCREEN), size)) == whole


def test_a_download_never_replaces_a_file_or_leaves_the_folder(tmp_path):
    (tmp_path / "postmortem.md").write_text("mine")
    assert download_name(tmp_path, "postmortem.md") == tmp_path / "postmortem-2.md"
    assert download_name(tmp_path, "../../etc/passwd") == tmp_path / "passwd"
    assert download_name(tmp_path, "..") == tmp_path / "download"
    assert download_name(tmp_path, "a b\x1b.md") == tmp_path / "a_b_.md"
