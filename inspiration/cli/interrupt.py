"""Ctrl+C for long jobs: the first asks the job to stop cleanly, a second aborts at once."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def stop_on_signals(message: str) -> Iterator[threading.Event]:
    """Yield an event set by the first Ctrl+C, SIGTERM or SIGBREAK (after printing `message`); a second Ctrl+C raises
    KeyboardInterrupt. The previous handlers are restored afterwards."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()
        print(f"\n{message} (Ctrl+C again to abort) ...", file=sys.stderr)

    signals = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):  # Windows: CTRL_BREAK sent to the run's process group (the app's Pause)
        signals.append(signal.SIGBREAK)
    previous = {s: signal.signal(s, handler) for s in signals}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
