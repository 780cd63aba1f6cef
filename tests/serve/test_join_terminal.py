"""`drill join LINK` on a real pseudo-terminal, against a served game day with its real game.

The seat's player types in a terminal instead of a browser: the lobby arrives, the run starts,
a key press becomes a step at the host attributed to that seat, and when the server stops the
command says so and exits 0.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import struct
import sys
import termios
import time


from drill.catalog import ScenarioSource
from drill.serve.host import DayPlan, GameDay
from drill.serve.links import link, make_roster
from drill.serve.server import GameServer, ServeConfig, bound_port, start_server

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
WAIT = 60.0


async def until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: never happened within {WAIT:.0f} s")
        await asyncio.sleep(0.02)


async def test_a_seat_plays_from_a_terminal_with_drill_join(tmp_path):
    roster = make_roster(["red=Ana:commander,Bo:comms"], ["commander", "comms", "ops"])
    day = GameDay(roster, DayPlan(ScenarioSource.open("black-friday"), seed=7, pace=1.0),
                  tmp_path / "saves")
    day.lock_folders()
    socket_dir = tmp_path / "sock"
    socket_dir.mkdir(mode=0o700)
    await day.open(socket_dir)
    config = ServeConfig(public_url="http://127.0.0.1:0")
    runner = await start_server(GameServer(roster, day, config), "127.0.0.1", 0)
    config.public_url = f"http://127.0.0.1:{bound_port(runner)}"
    bo = roster.team("red").seats[1]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "drill", "join", link(config.public_url, bo),
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True, cwd=tmp_path)
    os.close(slave)
    os.set_blocking(master, False)
    screen = {"text": ""}

    def read() -> None:
        try:
            data = os.read(master, 65536)
        except OSError:
            return
        screen["text"] += ANSI.sub("", data.decode("utf-8", "replace"))

    asyncio.get_running_loop().add_reader(master, read)
    host = day.teams["red"]
    try:
        await until(lambda: "Waiting for the facilitator" in screen["text"], "the lobby")
        assert host.connected() == ["Bo (comms)"]
        assert "\x1b]" not in screen["text"]
        host.start_run()
        await until(lambda: "Actions" in screen["text"], "the board")
        os.write(master, b"a")
        os.write(master, b"\r")
        await until(lambda: host.session.record.steps, "the step at the host")
        assert host.session.record.steps[0].by == "Bo (comms)"
    finally:
        await runner.cleanup()  # the server stops: the session ends
        code = await asyncio.wait_for(process.wait(), WAIT)
        await asyncio.sleep(0.1)
        read()
        asyncio.get_running_loop().remove_reader(master)
        os.close(master)
        await day.close()
    assert code == 0
    assert "drill join: the session ended." in screen["text"]
