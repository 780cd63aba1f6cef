"""Time from launch to the painted scenario picker, against a bare Textual app.

Each sample is a fresh interpreter that starts the app headless and exits as soon as the first
screen has been painted (after its first refresh), so the figure includes interpreter start,
imports, compose and the first render.  The baseline is a bare app (Header, Static, Footer)
measured the same way in the same run, interleaved so machine noise hits both alike.

Run: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run(headless=True)
"""

DRILL = """
from pathlib import Path
from drill.tui.app import DrillApp, Settings
from drill.tui.screens.picker import PickerScreen

filled = PickerScreen.on_mount

def filled_then_exit(self):
    filled(self)  # the list of scenarios and saves is filled here
    self.call_after_refresh(self.app.exit)

PickerScreen.on_mount = filled_then_exit
DrillApp(Settings(saves_dir=Path("saves"), tick=None)).run(headless=True)
"""


def sample(code: str, cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cwd:
        sample(BARE, cwd), sample(DRILL, cwd)  # warm the .pyc caches
        bare, drill = [], []
        for _ in range(args.runs):
            bare.append(sample(BARE, cwd))
            drill.append(sample(DRILL, cwd))
    b, d = statistics.median(bare), statistics.median(drill)
    print(f"bare Textual app (Header, Static, Footer): median {b * 1000:.0f} ms, min {min(bare) * 1000:.0f} ms")
    print(f"drill, launch to painted picker:           median {d * 1000:.0f} ms, min {min(drill) * 1000:.0f} ms")
    print(f"ratio drill / bare: {d / b:.2f} (target <= 1.15, issue 7)")


if __name__ == "__main__":
    main()
