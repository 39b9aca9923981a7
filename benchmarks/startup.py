"""Start-up: how long `inspiration --version` takes, and how long `inspiration` takes to show its window.

Each figure is a whole process, started the way a musician starts it (the installed `inspiration` command), with
fresh user folders (settings, library, models) in a temporary home. The window is timed from the moment the
process is started to the first turn of Qt's event loop after the window is shown (a `sitecustomize` put on the
child's path records it, says whether torch was loaded by then, and quits). The first start installs the demo and
the starter model; it is timed on its own, then the ordinary starts.

    python benchmarks/startup.py [--runs 5]          (targets: --version < 0.3 s; window < 1.5 s on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Loaded into the child before anything else: when the app enters its event loop, the next turn records the time
#: (the window has been shown and exposed by then) and whether torch is loaded, then quits.
SITECUSTOMIZE = """
import json, os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

_exec = QApplication.exec

def _exec_and_report(*_):
    def report():
        shown = [w.objectName() or type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]
        with open(os.environ["STARTUP_REPORT"], "w") as out:
            json.dump({"shown_at": time.time(), "torch": "torch" in sys.modules, "windows": shown}, out)
        QApplication.quit()
    QTimer.singleShot(0, report)
    return _exec()

QApplication.exec = _exec_and_report
"""


def command() -> list[str]:
    """The installed `inspiration` command, or this interpreter running the package."""
    found = shutil.which("inspiration")
    return [found] if found else [sys.executable, "-m", "inspiration"]


def time_version(runs: int) -> list[float]:
    """Wall seconds of `inspiration --version`, one per run."""
    times = []
    for _ in range(runs):
        started = time.time()
        subprocess.run([*command(), "--version"], check=True, capture_output=True)
        times.append(time.time() - started)
    return times


def time_window(home: Path, hook: Path) -> dict[str, object]:
    """Seconds from starting `inspiration` to its shown window, and whether torch was loaded by then."""
    report = home / "report.json"
    report.unlink(missing_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH", "")])),
        "STARTUP_REPORT": str(report),
    }
    started = time.time()
    done = subprocess.run(command(), env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not report.is_file():
        raise SystemExit(f"the app did not start (exit {done.returncode}):\n{done.stderr[-2000:]}")
    data = json.loads(report.read_text())
    return {"seconds": data["shown_at"] - started, "torch": data["torch"], "windows": data["windows"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed starts of each kind (default 5)")
    args = parser.parse_args()
    if not 1 <= args.runs <= 100:
        parser.error("--runs must be between 1 and 100")
    print(f"inspiration start-up, {os.cpu_count()} CPUs, {args.runs} runs each: median (min–max)")
    version = time_version(args.runs)
    print(f"  inspiration --version       {_spread(version)}")
    with tempfile.TemporaryDirectory(prefix="inspiration-startup-") as tmp:
        home, hook = Path(tmp) / "home", Path(tmp) / "hook"
        home.mkdir()
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
        first = time_window(home, hook)
        print(f"  first start (installs demo) {first['seconds']:.2f} s  torch loaded: {first['torch']}")
        starts = [time_window(home, hook) for _ in range(args.runs)]
        seconds = [float(s["seconds"]) for s in starts]  # type: ignore[arg-type]
        torch_loaded = any(s["torch"] for s in starts)
        print(f"  window shown                {_spread(seconds)}  torch loaded: {torch_loaded}")


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"


if __name__ == "__main__":
    main()
