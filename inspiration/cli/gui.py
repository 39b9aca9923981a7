"""`inspiration gui [PROJECT]` (also plain `inspiration`): open the desktop app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("gui", help="open the desktop app (the default)", description="Open the desktop app.")
    p.add_argument("project", nargs="?", type=Path, help="a project file to open")
    p.add_argument("--library", type=Path, help="the clip library folder to show (default: the last one opened)")
    p.set_defaults(run=run)


def display_problem() -> str | None:
    """Why no window can be shown here — no display, or a system library missing for Qt's display plugin — with
    the fix, or None. (Qt would abort the process instead of saying so.)"""
    from inspiration.ui.display_check import display_problem as problem

    return problem()


def run(args: argparse.Namespace) -> int:
    problem = display_problem()
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        from inspiration.ui.app import run as run_app
    except ImportError as exc:
        print(f"error: the desktop app cannot start: {exc}. Reinstall with: pip install inspiration", file=sys.stderr)
        return 2
    project = getattr(args, "project", None)
    if project is not None and not project.is_file():
        print(f"error: {project} does not exist", file=sys.stderr)
        return 2
    return run_app(project, library=getattr(args, "library", None))
