"""The web front of a game day: links in, one game process per connection, nothing else.

An aiohttp app built around textual-serve's process plumbing (its ``AppService`` runs a game
process behind a websocket and relays file downloads), with what bare serving lacks for a game
day (ECOSYSTEM.md §7, issue 12):

- **Every request is checked** by one middleware before any handler runs: the ``Host`` header
  must name the public URL's host (a DNS-rebinding page cannot reach a loopback server); an
  ``Origin``, when sent, must be the public URL's origin, and a websocket must send one; a page
  (``/s/TOKEN``) or websocket (``/ws/TOKEN``) needs a roster token in its path; static files and
  downloads need the cookie a seat's page sets (``HttpOnly``, ``SameSite=Strict``, ``Secure``
  over https), and a download only goes to the seat whose game made it.  Anything else is a 403
  or a 404 that says nothing about tokens.
- **Caps.**  One live connection per seat (a reload replaces the old game process, so two
  processes never play one seat), so at most seats + 1 processes; a terminal larger than
  ``max_width`` x ``max_height`` is refused at connection and clamped on resize; a websocket
  message is at most 64 KiB.
- **A minimal environment** for game processes: PATH, HOME, the locale, the venv, the terminal
  settings the web driver needs, and the socket and ticket of the host; nothing else of the
  server's (no credentials of the facilitator's shell).  The command is exec'd, never a shell.
- **Local assets only**: the page, textual-serve's script and stylesheet, and its Roboto Mono
  fonts are served from the package; no directory listing, no third-party host.  The page
  focuses the terminal once it is ready (the first click no longer lands on a widget), and sets
  a strict Content-Security-Policy, ``Referrer-Policy: no-referrer`` (the token is in the URL)
  and ``frame-ancestors 'none'``.
- **URLs** are built from the public URL only: on 127.0.0.1 it is derived from the bind; any
  other bind needs ``--public-url`` (the address players type, e.g. the TLS proxy's).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from .host import GameDay
from .links import SEAT_PATH, Roster, Seat, origin_of
from .protocol import SOCKET_ENV, TICKET_ENV

log = logging.getLogger("drill.serve")

MAX_WIDTH = 240
MAX_HEIGHT = 80
"""The largest terminal a browser may ask for, in cells (a 4K screen at 16 px is ~240x70)."""
MAX_WS_MESSAGE = 64 * 1024
COOKIE_PREFIX = "drill-"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}

SEAT = web.RequestKey("seat", Seat)
"""The seat whose token a page or websocket request carries (set by the guard)."""
COOKIE_SEATS = web.RequestKey("seats", list)
"""The seats whose cookies a static-file or download request carries (set by the guard)."""

GAME_COMMAND = (sys.executable, "-m", "drill.serve.seat")
"""The game process: the seat's lobby and board, or the facilitator's console."""

KEPT_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "VIRTUAL_ENV", "TZ", "TMPDIR",
                    "SYSTEMROOT")
"""What a game process inherits from the server's environment; everything else is left out."""

STATIC_FILES = {
    "js/textual.js": "text/javascript",
    "css/xterm.css": "text/css",
    "fonts/RobotoMono-VariableFont_wght.ttf": "font/ttf",
    "fonts/RobotoMono-Italic-VariableFont_wght.ttf": "font/ttf",
}
"""textual-serve's assets the page uses, by path under /static/; nothing else is served."""


@dataclass
class ServeConfig:
    """How the game day is reached."""

    public_url: str
    """The address players open (``http://127.0.0.1:8000``, ``https://drill.example.com``)."""
    max_width: int = MAX_WIDTH
    max_height: int = MAX_HEIGHT
    title: str = "drill"
    command: tuple[str, ...] = GAME_COMMAND
    extra_env: dict[str, str] = field(default_factory=dict)
    """Set in every game process on top of the kept environment (tests, benchmarks)."""

    @property
    def origin(self) -> str:
        return origin_of(self.public_url)

    @property
    def netloc(self) -> str:
        return urlsplit(self.public_url).netloc.lower()

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https:")


def public_url_for(host: str, port: int, public_url: str | None) -> str:
    """The public URL: the one given, or the loopback bind's own.

    Raises ValueError when the bind is not loopback and no public URL is given: players could
    not be sent a working link (and the Host and Origin checks need to know the real name).
    """
    if public_url:
        return public_url
    if host not in LOOPBACK:
        raise ValueError(f"binding {host} needs --public-url: the address players will open "
                         "(for example https://drill.example.com behind a TLS proxy)")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def game_environment(config: ServeConfig, socket_path: str, ticket: str, width: int,
                     height: int) -> dict[str, str]:
    """The whole environment of one game process (see the module's docstring)."""
    environment = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    environment.update({
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "TEXTUAL_FPS": "60",
        "TEXTUAL_COLOR_SYSTEM": "truecolor",
        "TERM_PROGRAM": "textual",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "COLUMNS": str(width),
        "ROWS": str(height),
        "PYTHONUNBUFFERED": "1",
        SOCKET_ENV: socket_path,
        TICKET_ENV: ticket,
    })
    environment.update(config.extra_env)
    return environment


class GameProcess(AppService):
    """textual-serve's AppService for one seat: exec'd (no shell), minimal environment."""

    def __init__(self, seat: Seat, argv: tuple[str, ...], environment: dict[str, str],
                 **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.seat = seat
        self._argv = argv
        self._environment = environment

    async def _open_app_process(self, width: int = 80, height: int = 24):  # type: ignore[override]
        self._process = process = await asyncio.create_subprocess_exec(
            *self._argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._environment)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the game to quit; kill it if it has not gone in five seconds."""
        process = self._process
        try:
            await asyncio.wait_for(super().stop(), 5)
        except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - it must go either way
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        self._task = None
        if process is not None:
            try:
                await asyncio.wait_for(process.wait(), 5)
            except asyncio.TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


class GameServer:
    """The aiohttp app of a game day (see the module's docstring)."""

    def __init__(self, roster: Roster, day: GameDay, config: ServeConfig) -> None:
        self.roster = roster
        self.day = day
        self.config = config
        self.downloads = DownloadManager()
        self.live: dict[str, tuple[web.WebSocketResponse, GameProcess]] = {}
        """The one connection of each seat (by seat key)."""
        self._static_root = resources.files("textual_serve").joinpath("static")

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard], client_max_size=64 * 1024)
        app.add_routes([
            web.get(SEAT_PATH + "{token}", self.page),
            web.get("/ws/{token}", self.websocket),
            web.get("/download/{key}", self.download),
            web.get("/static/{path:.+}", self.static),
        ])
        app.on_shutdown.append(self._on_shutdown)
        return app

    # -- the guard -------------------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request,
                    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        """Host, Origin, token or cookie: every request passes here first."""
        config = self.config
        if request.host.lower() != config.netloc:
            return _refuse(421, f"this server answers for {config.public_url} only")
        origin = request.headers.get("Origin")
        if origin is not None and origin != config.origin:
            return _refuse(403, "refused: this page belongs to another site")
        path = request.path
        if path.startswith(SEAT_PATH) or path.startswith("/ws/"):
            seat = self.roster.by_token(request.match_info.get("token", ""))
            if seat is None:
                return _refuse(404, "no such game: check the link you were sent")
            if path.startswith("/ws/") and origin is None:
                return _refuse(403, "refused: a game connection must come from its page")
            request[SEAT] = seat
        elif path.startswith("/static/") or path.startswith("/download/"):
            seats = self._cookie_seats(request)
            if not seats:
                return _refuse(403, "refused: open the link you were sent first")
            request[COOKIE_SEATS] = seats
        else:
            return _refuse(404, "drill: open the link you were sent")
        response = await handler(request)
        if not response.prepared:  # a websocket or a download has sent its headers already
            _protect(response)
        return response

    def _cookie_seats(self, request: web.Request) -> list[Seat]:
        seats = []
        for name, value in request.cookies.items():
            if name.startswith(COOKIE_PREFIX):
                seat = self.roster.by_token(value)
                if seat is not None and name == COOKIE_PREFIX + seat.key:
                    seats.append(seat)
        return seats

    # -- the page --------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        seat = request[SEAT]
        nonce = secrets.token_urlsafe(16)
        scheme = "wss" if self.config.secure else "ws"
        websocket = f"{scheme}://{self.config.netloc}/ws/{seat.token}"
        who = "facilitator's console" if seat.kind == "console" else \
            f"{seat.label}, team {seat.team}"
        body = PAGE.format(title=html.escape(f"{self.config.title}: {who}"),
                           websocket=html.escape(websocket, quote=True), nonce=nonce)
        response = web.Response(text=body, content_type="text/html", charset="utf-8")
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
            f"connect-src {scheme}://{self.config.netloc}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(COOKIE_PREFIX + seat.key, seat.token, path="/", httponly=True,
                            samesite="Strict", secure=self.config.secure)
        return response

    async def static(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        kind = STATIC_FILES.get(path)
        if kind is None:
            return _refuse(404, "not found")
        data = self._static_root.joinpath(path).read_bytes()
        response = web.Response(body=data, content_type=kind)
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    # -- a seat's connection ---------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        seat = request[SEAT]
        config = self.config
        width = _cells(request.query.get("width", "80"))
        height = _cells(request.query.get("height", "24"))
        if width is None or height is None:
            return _refuse(400, "the terminal size must be whole numbers")
        if width > config.max_width or height > config.max_height:
            return _refuse(400, f"terminal too large: {width}x{height}; this game day allows "
                                f"at most {config.max_width}x{config.max_height} (zoom in)")
        previous = self.live.pop(seat.key, None)
        if previous is not None:
            # A reload, or the same link in a second tab: the newest wins, and the old game
            # process is gone before the new one starts (one seat, one process).
            old_socket, old_process = previous
            await old_process.stop()
            await old_socket.close()
        socket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_WS_MESSAGE)
        await socket.prepare(request)
        ticket = self.day.ticket_for(seat)
        process = GameProcess(
            seat, config.command,
            game_environment(config, str(self.day.socket_path), ticket, width, height),
            write_bytes=socket.send_bytes, write_str=socket.send_str, close=socket.close,
            download_manager=self.downloads)
        self.live[seat.key] = (socket, process)
        log.info("%s connected", seat.label if seat.kind == "seat" else "the facilitator")
        try:
            await process.start(width, height)
            await self._relay(socket, process)
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - one seat's failure must not stop the server
            log.exception("%s: the game process failed", seat.label)
        finally:
            await process.stop()
            if self.live.get(seat.key, (None, None))[1] is process:
                del self.live[seat.key]
            with contextlib.suppress(Exception):
                await socket.close()
            log.info("%s left", seat.label)
        return socket

    async def _relay(self, socket: web.WebSocketResponse, process: GameProcess) -> None:
        """Browser → game: keys, resizes (clamped to the cap), focus; pings answered."""
        config = self.config
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                break
            if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
                break
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await process.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = _cells(data.get("width")), _cells(data.get("height"))
                if width is not None and height is not None:
                    await process.set_terminal_size(min(width, config.max_width),
                                                    min(height, config.max_height))
            elif kind == "ping" and isinstance(data, str):
                await socket.send_json(["pong", data[:32]])
            elif kind == "blur":
                await process.blur()
            elif kind == "focus":
                await process.focus()

    # -- downloads -------------------------------------------------------------------------

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A file a seat's game offered (the postmortem): only to that seat's browser."""
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            return _refuse(404, "this download has expired")
        owner = getattr(meta.app_service, "seat", None)
        if owner is None or owner not in request[COOKIE_SEATS]:
            return _refuse(404, "this download has expired")
        name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(meta.file_name).name)[:100] or "download"
        response = web.StreamResponse()
        content_type = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
        response.headers["Content-Type"] = content_type
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "no-store"
        _protect(response)
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def _on_shutdown(self, app: web.Application) -> None:
        for socket, process in list(self.live.values()):
            await process.stop()
            with contextlib.suppress(Exception):
                await socket.close()
        self.live.clear()


def _cells(value: object) -> int | None:
    """A terminal dimension from a client: a whole number from 1, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number >= 1 else None


def _refuse(status: int, text: str) -> web.Response:
    response = web.Response(status=status, text=text + "\n")
    _protect(response)
    return response


def _protect(response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{title}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<link rel="preload" href="/static/fonts/RobotoMono-VariableFont_wght.ttf" as="font" type="font/ttf" crossorigin>
<style>
@font-face {{ font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }}
@font-face {{ font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }}
html, body {{ margin: 0; height: 100%; background: #0c181f; color: #e0e0e0; }}
body {{ font-family: "Roboto Mono", monospace; }}
.textual-terminal {{ position: absolute; inset: 0; opacity: 0; transition: opacity 0.2s; }}
body.-first-byte .textual-terminal {{ opacity: 1; }}
.notice {{ position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; font-size: 16px; text-align: center; }}
body.-first-byte .waiting, .closed {{ display: none; }}
body.-closed .closed {{ display: flex; background: #0c181f; z-index: 10; }}
</style>
<script src="/static/js/textual.js"></script>
<script nonce="{nonce}">
// Start the terminal once its font is there (xterm.js measures cells when it opens), then
// give it the keyboard, so the first key or click goes to the game, not to the page.
(function () {{
  const start = window.onload;
  window.onload = async function (event) {{
    try {{ await document.fonts.load('16px "Roboto Mono"'); }} catch (error) {{}}
    if (start) {{ start.call(window, event); }}
    const input = document.querySelector(".xterm-helper-textarea");
    if (input) {{ input.focus(); }}
  }};
}})();
</script>
</head>
<body>
<div class="notice waiting">Starting the game…</div>
<div class="notice closed">The game has ended or the connection was lost. Reload the page to come back.</div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{websocket}" data-font-size="16"></div>
</body>
</html>
"""


async def start_server(server: GameServer, host: str, port: int) -> web.AppRunner:
    """Listen on ``host:port``; return the runner (``await runner.cleanup()`` stops it)."""
    runner = web.AppRunner(server.make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port the server listens on (what ``--port 0`` picked)."""
    for site in runner.sites:
        server = getattr(site, "_server", None)
        for sock in getattr(server, "sockets", None) or []:
            return int(sock.getsockname()[1])
    raise RuntimeError("the server is not listening")
