"""Which devices can torch train on here? Asked of a child process (`inspiration doctor --devices`), so the app
never loads torch itself; run it in a job."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from inspiration.engine.errors import Cancelled, InspirationError
from inspiration.ui.jobs import Report, StopCheck

PROBE_TIMEOUT_S = 120.0


def probe_command() -> list[str]:
    """The command that prints the devices as JSON (a bundle's program is the `inspiration` command itself)."""
    module = [] if getattr(sys, "frozen", False) else ["-m", "inspiration"]
    return [sys.executable, *module, "doctor", "--devices"]


def probe_devices(report: Report, should_stop: StopCheck) -> list[tuple[str, str]]:
    """[(device name, label), ...] torch can use, CPU first; InspirationError when the child cannot say."""
    child = subprocess.Popen(probe_command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    while child.poll() is None:
        if should_stop() or time.monotonic() - started > PROBE_TIMEOUT_S:
            child.kill()
            child.communicate()
            if should_stop():
                raise Cancelled("the device check was cancelled")
            raise InspirationError("torch took too long to say which devices it can use")
        time.sleep(0.05)
    out, err = child.communicate()
    return parse_devices(out, err, child.returncode)


def parse_devices(out: str, err: str, returncode: int) -> list[tuple[str, str]]:
    """The child's JSON as (name, label) pairs; InspirationError with its last error line otherwise."""
    try:
        data = json.loads(out) if returncode == 0 else None
        devices = [(str(name), str(label)) for name, label in data] if isinstance(data, list) else []
    except (json.JSONDecodeError, TypeError, ValueError):
        devices = []
    if not devices:
        last = (err.strip().splitlines() or ["no answer"])[-1]
        raise InspirationError(f"cannot tell which devices torch can use ({last})")
    return devices
