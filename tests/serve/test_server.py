"""The web front of `drill serve`: who gets in, and what a game process is given.

Driven with aiohttp's test client against the real app; game processes are a small stand-in
(tests/serve/fake_game.py) that reports its environment.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from drill.catalog import ScenarioSource
from drill.serve.host import DayPlan, GameDay
from drill.serve.links import make_roster
from drill.serve.server import COOKIE_PREFIX, KEPT_ENVIRONMENT, GameServer, ServeConfig

FIXTURES = Path(__file__).parent.parent / "fixtures"
FAKE_GAME = (sys.executable, str(Path(__file__).parent / "fake_game.py"))


@pytest.fixture
async def served(tmp_path, monkeypatch):
    """A game day served on a free loopback port; yields (server, client)."""
    monkeypatch.setenv("DRILL_TEST_SECRET", "the facilitator's cloud credentials")
    roster = make_roster(["red=Ana:commander,Bo:comms"], ["commander", "comms", "ops"])
    source = ScenarioSource.open(str(FIXTURES / "tiny.toml"))
    day = GameDay(roster, DayPlan(source, seed=1, pace=1.0), tmp_path / "saves")
    day.lock_folders()
    socket_dir = tmp_path / "sock"
    socket_dir.mkdir(mode=0o700)
    await day.open(socket_dir, tick=None)
    config = ServeConfig(public_url="http://127.0.0.1:0", command=FAKE_GAME, max_width=200,
                         max_height=60)
    server = GameServer(roster, day, config)
    test_server = TestServer(server.make_app(), host="127.0.0.1")
    await test_server.start_server()
    config.public_url = f"http://127.0.0.1:{test_server.port}"
    client = TestClient(test_server, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await client.start_server()
    yield server, client
    await client.close()
    await day.close()


def red(server: GameServer, index: int = 0):
    return server.roster.team("red").seats[index]


def cookie(seat) -> dict[str, str]:
    return {"Cookie": f"{COOKIE_PREFIX}{seat.key}={seat.token}"}


async def test_a_seat_link_opens_a_page_that_uses_only_local_assets(served):
    server, client = served
    ana = red(server)
    response = await client.get(f"/s/{ana.token}")
    assert response.status == 200
    page = await response.text()
    assert f'data-session-websocket-url="ws://127.0.0.1:{client.port}/ws/{ana.token}"' in page
    assert "Ana (commander), team red" in page
    assert "googleapis" not in page and "https://" not in page
    assert 'src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf")' in page
    assert "focus()" in page  # the terminal takes the keyboard once it is ready
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie


@pytest.mark.parametrize("path", ["/", "/s/", "/s/not-a-token", "/ws/not-a-token",
                                  "/anything"])
async def test_no_token_no_game(served, path):
    server, client = served
    response = await client.get(path, headers={"Origin": server.config.origin})
    assert response.status == 404
    assert not server.live


async def test_another_host_name_is_refused(served):
    """A DNS-rebinding page reaches the loopback server under its own name: refused."""
    server, client = served
    response = await client.get(f"/s/{red(server).token}", headers={"Host": "evil.example"})
    assert response.status == 421


async def test_a_foreign_origin_is_refused_and_starts_nothing(served):
    server, client = served
    token = red(server).token
    page = await client.get(f"/s/{token}", headers={"Origin": "https://evil.example"})
    assert page.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(f"/ws/{token}", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_origin:
        await client.ws_connect(f"/ws/{token}")
    assert no_origin.value.status == 403
    assert not server.live


async def test_an_oversized_terminal_is_refused(served):
    server, client = served
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(f"/ws/{red(server).token}?width=3000&height=1500",
                                headers={"Origin": server.config.origin})
    assert refused.value.status == 400
    assert not server.live


async def test_assets_need_a_seat_cookie_and_nothing_is_listed(served):
    server, client = served
    assert (await client.get("/static/js/textual.js")).status == 403
    forged = {"Cookie": f"{COOKIE_PREFIX}{red(server).key}=guessed"}
    assert (await client.get("/static/js/textual.js", headers=forged)).status == 403
    good = await client.get("/static/js/textual.js", headers=cookie(red(server)))
    assert good.status == 200 and good.content_type == "text/javascript"
    font = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf",
                            headers=cookie(red(server)))
    assert font.status == 200 and font.content_type == "font/ttf"
    for path in ("/static/", "/static/js/", "/static/images/background.png",
                 "/static/%2e%2e/server.py", "/static/../../server.py"):
        assert (await client.get(path, headers=cookie(red(server)))).status in (403, 404), path


async def test_a_download_only_reaches_the_seat_whose_game_made_it(served):
    server, client = served
    ana, bo = red(server, 0), red(server, 1)

    class Owner:
        seat = ana
        app_service_id = "x"

    await server.downloads.create_download(
        app_service=Owner(), delivery_key="k1", file_name="postmortem.md",
        open_method="download", mime_type="text/markdown", encoding="utf-8")
    assert (await client.get("/download/k1")).status == 403
    assert (await client.get("/download/k1", headers=cookie(bo))).status == 404
    assert (await client.get("/download/unknown", headers=cookie(ana))).status == 404


async def test_a_game_process_gets_a_minimal_environment_and_one_per_seat(served):
    server, client = served
    ana = red(server)
    origin = {"Origin": server.config.origin}
    first = await client.ws_connect(f"/ws/{ana.token}?width=100&height=30", headers=origin)
    message = await first.receive(timeout=30)
    environment = json.loads(message.data)
    assert "DRILL_TEST_SECRET" not in environment
    allowed = set(KEPT_ENVIRONMENT) | {
        "TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM", "TERM_PROGRAM", "TERM",
        "COLORTERM", "COLUMNS", "ROWS", "PYTHONUNBUFFERED", "DRILL_SERVE_SOCKET",
        "DRILL_SERVE_TICKET"}
    assert set(environment) - {"LC_CTYPE"} <= allowed  # Python may add LC_CTYPE itself
    assert (environment["COLUMNS"], environment["ROWS"]) == ("100", "30")
    assert environment["DRILL_SERVE_TICKET"]
    # The same link again (a reload): the first game process is stopped, one per seat.
    second = await client.ws_connect(f"/ws/{ana.token}", headers=origin)
    await second.receive(timeout=30)
    closing = await first.receive(timeout=30)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert list(server.live) == [ana.key]
    await second.close()
    await asyncio.sleep(0)
