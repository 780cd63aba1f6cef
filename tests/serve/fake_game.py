"""A stand-in game process for the server's tests: it speaks the web driver's packets.

It announces itself as a Textual app does, sends one data packet holding the names and values
of its environment (JSON), then waits for the server's "quit" and exits.
"""

import json
import os
import sys


def main() -> None:
    out = sys.stdout.buffer
    out.write(b"__GANGLION__\n")
    payload = json.dumps(dict(os.environ)).encode()
    out.write(b"D" + len(payload).to_bytes(4, "big") + payload)
    out.flush()
    stdin = sys.stdin.buffer
    while True:
        kind = stdin.read(1)
        if not kind:
            return
        size = int.from_bytes(stdin.read(4), "big")
        body = stdin.read(size)
        if kind == b"M" and json.loads(body).get("type") == "quit":
            return


main()
