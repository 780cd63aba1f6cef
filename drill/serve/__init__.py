"""Remote game days: `drill serve` and `drill join` (docs/facilitator.md, "A remote game day").

One process, started by the facilitator with ``drill serve``, holds everything that matters:

```
 browser / `drill join`            drill serve (one process, one event loop)
 ──────────────────────            ───────────────────────────────────────────────────────
  seat link  ── https/wss ──▶  server.py   token + Origin + Host checks, caps, static files
                                    │  spawns one game process per connection (minimal env)
                                    ▼
                            game process (Textual, web driver)   seat.py: lobby, board, end
                                    │  JSON lines over a Unix socket in a private folder
                                    ▼
                               host.py     one TeamHost per team: its GameSession (the save),
                                           its clock, the order of steps; broadcasts the log
  facilitator link ───────▶  game process: console.py (every team, controls, comparison)
```

- :mod:`.links` makes the roster (teams, seats, roles) and the unguessable tokens of the links.
- :mod:`.protocol` is the typed language between a game process and the host.
- :mod:`.host` is the authority: one run per team, one clock, steps applied in one order.
- :mod:`.remote_session` is what a seat's board drives instead of a local ``GameSession``: a
  replica of the team's run, rebuilt from the host's steps and time (the engine is
  deterministic, so every replica is the run).
- :mod:`.server` is the web front: an aiohttp app in front of textual-serve's process plumbing.
- :mod:`.join` is `drill join LINK`: a seat in a terminal, through the same websocket.

Nothing here is imported by the engine or by :mod:`drill.tui` (layer contracts in pyproject).
"""
