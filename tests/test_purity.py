"""The engine stays pure: no UI library, no I/O, no clock, no unseeded randomness.

A run must be fully determined by its scenario, seed and timed actions, and the engine must be
usable without Textual; these tests turn that rule into something CI checks.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENGINE = REPO / "drill" / "engine"

FORBIDDEN_MODULES = {
    "time": "reads the wall clock",
    "os": "file system and environment access",
    "pathlib": "file access",
    "io": "file access",
    "shutil": "file access",
    "tempfile": "file access",
    "socket": "network access",
    "urllib": "network access",
    "http": "network access",
    "subprocess": "runs processes",
    "secrets": "unseeded randomness",
    "uuid": "unseeded randomness",
    "textual": "UI library (the engine is headless)",
    "rich": "UI library (the engine is headless)",
}
FORBIDDEN_CALLS = {
    "open": "file access",
    "eval": "untrusted text must never be evaluated",
    "exec": "untrusted text must never be executed",
    "__import__": "dynamic imports",
    "input": "reads the terminal",
    "print": "writes to the terminal",
}
CLOCK_METHODS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}
GLOBAL_RANDOM = {"random", "choice", "choices", "randint", "randrange", "shuffle", "sample",
                 "uniform", "gauss", "seed", "getrandbits", "SystemRandom"}


SHELL = "the engine is headless: it imports nothing from the shell or the TUI"


def imported_modules(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The absolute names an import statement brings in, relative ones resolved against
    ``package`` (the package the module is in): ``from ..cli import main`` in a module of
    ``drill.engine`` gives ``drill.cli`` and ``drill.cli.main`` (either may be a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = package.split(".")
        base = parts[: len(parts) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def is_shell(name: str) -> bool:
    """Whether a module name is drill's, outside the engine (``drill`` itself only holds the
    version)."""
    return name.startswith("drill.") and not (name == "drill.engine"
                                              or name.startswith("drill.engine."))


def violations(source: str, filename: str = "<source>", package: str = "drill.engine") -> list[str]:
    """Every forbidden import or call in ``source``, a module of ``package``, as
    'file:line: what (why)'."""
    found: list[str] = []
    tree = ast.parse(source, filename)

    def report(node: ast.AST, what: str, why: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what} ({why})")

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            shell = [name for name in imported_modules(node, package) if is_shell(name)]
            if shell:
                report(node, f"imports {shell[0]}", SHELL)
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in FORBIDDEN_MODULES:
                    report(node, f"import {alias.name}", FORBIDDEN_MODULES[root])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            root = node.module.split(".")[0]
            if root in FORBIDDEN_MODULES:
                report(node, f"from {node.module} import", FORBIDDEN_MODULES[root])
            if root == "random" and any(a.name in GLOBAL_RANDOM for a in node.names):
                report(node, "from random import a global function", "unseeded randomness")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                report(node, f"{func.id}()", FORBIDDEN_CALLS[func.id])
            elif isinstance(func, ast.Attribute):
                owner = ast.unparse(func.value)
                if func.attr in CLOCK_METHODS and owner.split(".")[-1] in {"datetime", "date", "dt", "time"}:
                    report(node, f"{owner}.{func.attr}()", "reads the wall clock")
                if owner == "random" and func.attr in GLOBAL_RANDOM:
                    report(node, f"random.{func.attr}()", "unseeded randomness")
                if func.attr == "Random" and not node.args and not node.keywords:
                    report(node, f"{owner}.Random() without a seed", "unseeded randomness")
            if isinstance(func, ast.Name) and func.id == "Random" and not node.args:
                report(node, "Random() without a seed", "unseeded randomness")
    return found


def engine_sources() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", engine_sources(), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_has_no_forbidden_import_or_call(path: Path) -> None:
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent / "__init__.py")
    assert violations(path.read_text(encoding="utf-8"), path.name, package) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "import time",
        "import os.path",
        "from pathlib import Path",
        "import subprocess",
        "import socket",
        "from textual.app import App",
        "import rich",
        "data = open('x').read()",
        "import datetime\nnow = datetime.datetime.now()",
        "import datetime as dt\ntoday = dt.date.today()",
        "import random\nx = random.random()",
        "import random\nrandom.shuffle(items)",
        "import random\nrng = random.Random()",
        "from random import choice",
        "eval(text)",
        "from ..cli import main",
        "from .. import session",
        "from ..tui.app import DrillApp",
        "import drill.saves",
        "from drill.loading import load_scenario",
        "from drill import storage",
    ],
)
def test_the_scanner_catches_each_forbidden_pattern(snippet: str) -> None:
    assert violations(snippet) != []


def test_relative_imports_are_resolved_from_the_modules_package() -> None:
    # Two dots from drill.engine.scoring is drill.engine: allowed; three dots leave the engine.
    assert violations("from ..simulation import Run", package="drill.engine.scoring") == []
    assert violations("from ...saves import read_save", "help.py", "drill.engine.scoring") == [
        f"help.py:1: imports drill.saves ({SHELL})"]


@pytest.mark.parametrize(
    "snippet",
    [
        "import random\nrng = random.Random(f'{seed}:x')\nrng.random()",
        "import datetime as dt\nstart = dt.datetime(2018, 6, 27)",
        "import math, heapq",
        "from .scenario import Scenario",
        "from . import text",
        "from drill.engine.text import clean",
    ],
)
def test_the_scanner_allows_what_the_engine_needs(snippet: str) -> None:
    assert violations(snippet) == []


def test_importing_every_engine_module_loads_no_ui_library() -> None:
    """A fresh interpreter: whatever the test process has imported cannot hide a leak."""
    modules = [module_name(p) for p in engine_sources()]
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich') or (m.startswith('drill.') and m != 'drill.engine' "
        "and not m.startswith('drill.engine.')))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert len(modules) >= 7


def test_the_headless_cli_does_not_import_textual() -> None:
    """`drill validate`/`run` stay fast: Textual is only imported when the TUI starts, and
    pydantic by the command that needs it (not by `drill --help`)."""
    code = (
        "import sys\nfrom drill import cli\n"
        "cli.parse_arguments(['--saves-dir', 'D', 'play', 'x.toml'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich', 'pydantic') or m.startswith('drill.tui')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
