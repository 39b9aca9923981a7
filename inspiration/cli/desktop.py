"""`inspiration install-desktop [--uninstall]`: put Inspiration in the desktop's application menu (freedesktop).

Installs, for the current user only (under $XDG_DATA_HOME, default ~/.local/share): the .desktop entry (launching
this very `inspiration` executable, so pipx and venv installs work), the icon in every size, the MIME type of
project files (*.inspiration, so double-clicking one opens the app) and the AppStream metainfo. `--uninstall`
removes exactly those files. The desktop's caches are refreshed when their tools are present.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

DESKTOP_FILE = "inspiration.desktop"
MIME_FILE = "inspiration-mime.xml"
METAINFO_FILE = "inspiration.metainfo.xml"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "install-desktop",
        help="add Inspiration to the application menu and open project files with it",
        description="Install (or with --uninstall remove) the desktop entry, icons, project MIME type and metainfo "
        "for the current user.",
    )
    p.add_argument("--uninstall", action="store_true", help="remove what install-desktop installed")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data_home = xdg_data_home()
    if args.uninstall:
        removed = uninstall(data_home)
        print(f"removed {len(removed)} file(s) from {data_home}")
    else:
        written = install(data_home, launcher())
        print(f"installed {len(written)} file(s) under {data_home}; Inspiration is in your application menu")
    refresh_caches(data_home)
    return 0


def xdg_data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> list[str]:
    """How to run the `inspiration` command that is running now: its absolute path (or the one on PATH), else
    this Python with `-m inspiration`."""
    if getattr(sys, "frozen", False):  # the standalone bundle: the executable itself is the command
        return [sys.executable]
    here = Path(sys.argv[0])
    if here.name.startswith("inspiration") and here.exists():
        return [str(here.resolve())]
    found = shutil.which("inspiration")
    return [found] if found else [sys.executable, "-m", "inspiration"]


def targets(data_home: Path) -> dict[Path, Traversable]:
    """Every file installed: destination → packaged source."""
    desktop = files("inspiration") / "resources" / "desktop"
    icons = files("inspiration") / "resources" / "icons"
    found: dict[Path, Traversable] = {
        data_home / "applications" / DESKTOP_FILE: desktop / DESKTOP_FILE,
        data_home / "mime" / "packages" / MIME_FILE: desktop / MIME_FILE,
        data_home / "metainfo" / METAINFO_FILE: desktop / METAINFO_FILE,
        data_home / "icons" / "hicolor" / "scalable" / "apps" / "inspiration.svg": icons / "inspiration.svg",
    }
    for size in (icons / "hicolor").iterdir():
        found[data_home / "icons" / "hicolor" / size.name / "apps" / "inspiration.png"] = size / "inspiration.png"
    return found


def install(data_home: Path, command: list[str]) -> list[Path]:
    from inspiration.engine.atomic import write_text_atomic

    written = []
    for target, source in targets(data_home).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.name == DESKTOP_FILE:
            exec_line = " ".join(_exec_argument(arg) for arg in command)
            text = source.read_text(encoding="utf-8").replace("{exec}", exec_line).replace("{tryexec}", command[0])
            write_text_atomic(target, text)
        else:
            target.write_bytes(source.read_bytes())
        written.append(target)
    return written


def uninstall(data_home: Path) -> list[Path]:
    removed = []
    for target in targets(data_home):
        if target.exists():
            target.unlink()
            removed.append(target)
    return removed


def refresh_caches(data_home: Path) -> None:
    """Tell the desktop about the change (each tool is optional; missing ones are skipped quietly)."""
    commands = [
        ["update-mime-database", str(data_home / "mime")],
        ["update-desktop-database", str(data_home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(data_home / "icons" / "hicolor")],
    ]
    for command in commands:
        if shutil.which(command[0]) and (data_home / command[-1]).exists():
            subprocess.run(command, check=False, capture_output=True)


def _exec_argument(arg: str) -> str:
    """One Exec argument as the Desktop Entry spec asks: % doubled (field codes), quoted when it holds spaces or
    reserved characters."""
    arg = arg.replace("%", "%%")
    if any(c in arg for c in ' \t"`$\\'):
        escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
        return f'"{escaped}"'
    return arg
