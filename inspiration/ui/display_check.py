"""Can a window be shown here? Found out before Qt is asked, since Qt aborts the process instead of saying why.

Two things stop the app on Linux: no display at all, and a system library missing for Qt's X11 (xcb) platform
plugin — `libxcb-cursor0` is the usual one (Ubuntu 22.04 and minimal installs lack it). The libraries the plugin
needs are read from the plugin itself with `ldd`, so the list follows the installed Qt. No Qt is imported here.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: The libraries Qt's xcb plugin loads that a desktop may lack: soname → (Debian/Ubuntu package, Fedora package).
XCB_PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libGL.so.1": ("libgl1", "mesa-libGL"),
    "libEGL.so.1": ("libegl1", "mesa-libEGL"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
}


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """Why no window can be shown here (one message with the fix), or None."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if not (platform or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return (
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set). Run it in a desktop "
            "session, or use the command-line tools: inspiration --help"
        )
    if not uses_xcb(env):
        return None
    missing = missing_xcb_libraries()
    return None if not missing else missing_libraries_message(missing)


def uses_xcb(env: dict[str, str] | os._Environ[str]) -> bool:
    """Whether Qt will open the window through X11: asked for, or an X display without a Wayland one."""
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def xcb_plugin() -> Path | None:
    """Qt's X11 platform plugin in the installed PySide6 (found without importing it), or None."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_xcb_libraries(plugin: Path | None = None) -> list[str]:
    """Sonames the xcb plugin (and its Qt library) need that the system cannot find; [] when all are there or the
    plugin is not installed (then Qt's own message is the best there is)."""
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return []
    ldd = shutil.which("ldd")
    if ldd is None:
        return [name for name in XCB_PACKAGES if not _loads(name)]
    try:
        listing = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return [name for name in XCB_PACKAGES if not _loads(name)]
    return missing_in_ldd_output(listing)


def missing_in_ldd_output(listing: str) -> list[str]:
    """The sonames `ldd` reports as "not found", each once, in order."""
    missing: list[str] = []
    for line in listing.splitlines():
        name, _, found = line.strip().partition(" => ")
        if found.strip() == "not found" and name not in missing:
            missing.append(name)
    return missing


def missing_libraries_message(missing: list[str]) -> str:
    """What is missing and the command that installs it."""
    return (
        f"the window cannot open: Qt's X11 display plugin needs {', '.join(missing)}, which this system lacks. "
        f"Install it and start again — {install_commands(missing)}"
    )


def install_commands(missing: list[str]) -> str:
    """The commands that install the missing libraries on Debian/Ubuntu and on Fedora."""
    debian = [XCB_PACKAGES.get(name, (name, name))[0] for name in missing]
    fedora = sorted({XCB_PACKAGES.get(name, (name, name))[1] for name in missing})
    return f"Debian/Ubuntu: sudo apt-get install {' '.join(debian)}; Fedora: sudo dnf install {' '.join(fedora)}"


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True
