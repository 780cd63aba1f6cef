"""`drill join LINK`: a seat (or the console) in a terminal instead of a browser.

The game still runs on the facilitator's machine, exactly as for a browser: this is the
browser's part, for a terminal.  It opens the link's websocket with the link's Origin (the server
checks it like any other), puts the terminal in raw mode, sends keys and size changes, and writes
what the game draws.  A postmortem the end screen offers is downloaded into the current folder
and named when the session ends.

What the server sends is drawn on the player's terminal, so it passes through
:class:`EscapeFilter` first: text and the cursor and colour sequences a game needs (CSI and
short escapes) pass; operating-system commands (OSC: window titles, clipboard writes,
hyperlinks), device control strings and the other string sequences are dropped whole, and so are
8-bit controls.  A link to a hostile server can draw on the screen, but cannot write the
clipboard or talk to the terminal.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import os
import re
import signal
import sys
import termios
import tty
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from ..engine.text import escaped
from .links import SEAT_PATH, origin_of, token_digest

MAX_WIDTH, MAX_HEIGHT = 240, 80
"""Never ask for more than a served game day allows by default (the server refuses more)."""

RESET = ("\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
         "\x1b[?2004l\x1b[?1004l\x1b[<u\x1b[0m")
"""Leave the alternate screen, show the cursor, stop mouse, paste and focus reports, pop the
keyboard mode, reset colours: whatever state the game left the terminal in."""


class JoinError(Exception):
    """A link that cannot be joined; the message is one line."""


def websocket_url(link: str, width: int, height: int) -> tuple[str, str, str]:
    """``(websocket URL, Origin, token)`` for a link ``http(s)://HOST/s/TOKEN``.

    Raises JoinError for anything that is not such a link.
    """
    parts = urlsplit(link.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise JoinError(f"'{escaped(link, 80)}' is not a drill link (http(s)://HOST/s/TOKEN)")
    if not parts.path.startswith(SEAT_PATH) or len(parts.path) <= len(SEAT_PATH):
        raise JoinError(f"'{escaped(link, 80)}' is not a drill link (http(s)://HOST/s/TOKEN)")
    token = parts.path[len(SEAT_PATH):]
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,100}", token):
        raise JoinError("the link's token is damaged: copy the whole link again")
    scheme = "wss" if parts.scheme == "https" else "ws"
    width, height = max(1, min(width, MAX_WIDTH)), max(1, min(height, MAX_HEIGHT))
    return (f"{scheme}://{parts.netloc}/ws/{token}?width={width}&height={height}",
            origin_of(link), token)


class EscapeFilter:
    """Pass text, CSI and short escape sequences; drop OSC, DCS, SOS, PM, APC strings and 8-bit
    controls (see the module's docstring).  Fed any split of the stream, it gives the same
    output as when fed the whole."""

    _NORMAL, _ESCAPE, _CSI, _STRING, _STRING_ESCAPE = range(5)
    MAX_SEQUENCE = 256

    def __init__(self) -> None:
        self._state = self._NORMAL
        self._pending = ""

    def feed(self, text: str) -> str:
        out: list[str] = []
        state, pending = self._state, self._pending
        for char in text:
            if state == self._NORMAL:
                if char == "\x1b":
                    state, pending = self._ESCAPE, char
                elif "\x80" <= char <= "\x9f":
                    continue
                else:
                    out.append(char)
            elif state == self._ESCAPE:
                if char == "[" and pending == "\x1b":
                    state, pending = self._CSI, pending + char
                elif char in "]PX^_" and pending == "\x1b":
                    state, pending = self._STRING, ""
                elif char == "\x1b":
                    pending = char  # a lone escape before another: dropped
                elif " " <= char <= "/":
                    pending += char  # an intermediate byte: ESC ( B
                elif "0" <= char <= "~":
                    out.append(pending + char)
                    state, pending = self._NORMAL, ""
                else:
                    state, pending = self._NORMAL, ""  # not a sequence: drop it
            elif state == self._CSI:
                pending += char
                if "@" <= char <= "~":
                    out.append(pending)
                    state, pending = self._NORMAL, ""
                elif not (" " <= char <= "?") or len(pending) > self.MAX_SEQUENCE:
                    state, pending = self._NORMAL, ""
            elif state == self._STRING:
                if char == "\x07":
                    state = self._NORMAL
                elif char == "\x1b":
                    state = self._STRING_ESCAPE
            else:  # the escape inside a string: ESC \ ends it
                state = self._NORMAL if char == "\\" else (
                    self._STRING_ESCAPE if char == "\x1b" else self._STRING)
        self._state, self._pending = state, pending
        return "".join(out)


def download_name(folder: Path, offered: str) -> Path:
    """A new file in ``folder`` for a download the game offered: its name made safe (letters,
    digits, ``.``, ``-``, ``_``), never replacing a file (``-2``, ``-3``... when taken)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(offered).name).lstrip(".")[:100] or "download"
    stem, dot, suffix = safe.rpartition(".")
    if not dot:
        stem, suffix = safe, ""
    candidate = folder / safe
    number = 2
    while candidate.exists():
        candidate = folder / (f"{stem}-{number}.{suffix}" if suffix else f"{safe}-{number}")
        number += 1
    return candidate


async def join(link: str, out: TextIO, err: TextIO, folder: Path | None = None) -> int:
    """Play the seat behind ``link`` in this terminal until the game ends; return an exit code
    (0 when the game ended, 1 when the link or the connection failed)."""
    import aiohttp

    folder = folder or Path.cwd()
    stdin_fd, stdout_fd = sys.stdin.fileno(), sys.stdout.fileno()
    size = os.get_terminal_size(stdout_fd)
    url, origin, token = websocket_url(link, size.columns, size.lines)
    cookie = f"drill-{token_digest(token)[:16]}={token}"
    loop = asyncio.get_running_loop()
    downloaded: list[Path] = []
    fetching: set[asyncio.Future[None]] = set()
    saved = termios.tcgetattr(stdin_fd)
    async with aiohttp.ClientSession() as session:
        try:
            socket = await session.ws_connect(url, headers={"Origin": origin}, heartbeat=15,
                                              max_msg_size=16 * 1024 * 1024)
        except aiohttp.WSServerHandshakeError as refused:
            reason = {404: "no such game (check the link; a restarted server gives new links)",
                      403: "refused by the server", 400: "refused: the terminal is too large "
                      "(make the window smaller)"}.get(refused.status, f"HTTP {refused.status}")
            print(f"drill join: {reason}", file=err)
            return 1
        except (aiohttp.ClientError, OSError) as error:
            print(f"drill join: cannot reach the game day: {escaped(str(error), 200)}", file=err)
            return 1
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        screen = EscapeFilter()

        def on_key() -> None:
            data = os.read(stdin_fd, 4096)
            if data:
                text = data.decode("utf-8", "replace")
                asyncio.ensure_future(socket.send_str(json.dumps(["stdin", text])))

        def on_resize() -> None:
            columns, lines = os.get_terminal_size(stdout_fd)
            asyncio.ensure_future(socket.send_str(json.dumps(
                ["resize", {"width": min(columns, MAX_WIDTH), "height": min(lines, MAX_HEIGHT)}])))

        async def fetch(key: str) -> None:
            base = link.split(SEAT_PATH, 1)[0]
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", key):
                return
            async with session.get(f"{base}/download/{key}",
                                   headers={"Origin": origin, "Cookie": cookie}) as reply:
                if reply.status != 200:
                    return
                offered = reply.content_disposition.filename if reply.content_disposition else ""
                target = download_name(folder, offered or "download")
                data = await reply.read()
            with open(target, "xb") as handle:
                handle.write(data)
            downloaded.append(target)

        tty.setraw(stdin_fd)
        loop.add_reader(stdin_fd, on_key)
        loop.add_signal_handler(signal.SIGWINCH, on_resize)
        try:
            async for message in socket:
                if message.type == aiohttp.WSMsgType.BINARY:
                    os.write(stdout_fd, screen.feed(decoder.decode(message.data)).encode())
                elif message.type == aiohttp.WSMsgType.TEXT:
                    with contextlib.suppress(ValueError, TypeError, IndexError):
                        envelope = json.loads(message.data)
                        if envelope[0] == "deliver_file_start":
                            task = asyncio.ensure_future(fetch(str(envelope[1])))
                            fetching.add(task)
                            task.add_done_callback(fetching.discard)
                else:
                    break
        finally:
            loop.remove_reader(stdin_fd)
            loop.remove_signal_handler(signal.SIGWINCH)
            termios.tcsetattr(stdin_fd, termios.TCSADRAIN, saved)
            os.write(stdout_fd, RESET.encode())
            if fetching:
                await asyncio.wait(fetching, timeout=10)
            await socket.close()
    print("drill join: the session ended.", file=out)
    for path in downloaded:
        print(f"drill join: downloaded {path}", file=out)
    return 0
