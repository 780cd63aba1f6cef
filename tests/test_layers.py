"""The layer contracts of pyproject.toml, checked with import-linter (`lint-imports`).

The engine is headless (it imports nothing from the shell, the TUI, Textual or Rich), the TUI
never imports the command line or the game-day server, the game day's host side imports no
Textual, and widgets never import screens.  The contracts are checked on
the real package, and shown to fail on a copy of it with a deliberate violation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = REPO / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = {contract["id"]: contract
             for contract in tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the drill package found in ``root``, with the contracts of ``root``'s
    pyproject.toml; no cache is written."""
    if not LINT_IMPORTS.exists():
        pytest.fail("lint-imports is missing: install the test extra (pip install '.[test]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)},  # this root's drill, not the installed one
    )


def test_every_layer_contract_is_kept() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    for contract in CONTRACTS.values():
        assert f"{contract['name']} KEPT" in result.stdout
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_the_engine_contract_names_every_shell_module() -> None:
    """A new shell module cannot slip past the contract: each one is listed."""
    shell = {f"drill.{path.stem}" for path in (REPO / "drill").glob("*.py")
             if path.stem not in ("__init__", "__main__")} | {"drill.tui"}
    forbidden = set(CONTRACTS["engine-headless"]["forbidden_modules"])
    assert shell - forbidden == set()
    assert {"textual", "rich"} <= forbidden


@pytest.mark.parametrize(("module", "source", "contract", "import_line"), [
    ("engine/leak.py", "from ..cli import main\n", "engine-headless",
     "drill.engine.leak -> drill.cli"),
    ("engine/leak.py", "import textual\n", "engine-headless", "drill.engine.leak -> textual"),
    ("tui/leak.py", "from ..cli import main\n", "tui-not-cli", "drill.tui.leak -> drill.cli"),
    ("tui/leak.py", "from ..serve import host\n", "tui-not-serve", "drill.tui.leak -> drill.serve.host"),
    ("serve/links.py", "import textual\n", "serve-host-headless", "drill.serve.links -> textual"),
    ("tui/widgets/leak.py", "from ..screens import picker\n", "widgets-not-screens",
     "drill.tui.widgets.leak -> drill.tui.screens.picker"),
])
def test_a_deliberate_violation_breaks_its_contract_and_names_the_import(
        tmp_path: Path, module: str, source: str, contract: str, import_line: str) -> None:
    shutil.copytree(REPO / "drill", tmp_path / "drill",
                    ignore=shutil.ignore_patterns("__pycache__", "_bundled_scenarios"))
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    (tmp_path / "drill" / module).write_text(source)
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]['name']} BROKEN" in result.stdout
    assert import_line in result.stdout
    assert f"Contracts: {len(CONTRACTS) - 1} kept, 1 broken." in result.stdout
