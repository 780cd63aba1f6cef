"""`python -m drill`: the same as the `drill` command."""

from __future__ import annotations

from drill.cli import main

raise SystemExit(main())
