"""Following a training log (`train_log.jsonl`) while the trainer appends to it, reading only what is new.

The trainer appends one JSON object per line and, when a run resumes, rewrites the file atomically without the lines
past the resumed step. A tail therefore notices a replaced or shrunk file and starts again from its beginning, and
keeps a partial last line (a write in progress) until its newline arrives. No torch here: the app polls logs on its
GUI thread.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class LogTail:
    """Incremental reader of a JSON-lines file. `read_new()` returns the records appended since the last call."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._identity: tuple[int, int] | None = None
        self._offset = 0
        self._pending = b""

    def read_new(self) -> tuple[list[dict[str, Any]], bool]:
        """(records, restarted): the complete new lines as dicts (corrupt lines skipped); `restarted` is True when
        the file was replaced, shrunk or removed since the last call, and the records are then the whole new file."""
        try:
            info = os.stat(self.path)
        except OSError:
            restarted = self._identity is not None
            self._identity, self._offset, self._pending = None, 0, b""
            return [], restarted
        identity = (info.st_dev, info.st_ino)
        restarted = False
        if identity != self._identity or info.st_size < self._offset:
            restarted = self._identity is not None
            self._identity, self._offset, self._pending = identity, 0, b""
        if info.st_size == self._offset:
            return [], restarted
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read(info.st_size - self._offset)
        except OSError:
            return [], restarted
        self._offset += len(data)
        lines = (self._pending + data).split(b"\n")
        self._pending = lines.pop()  # b"" after a complete line, else the part written so far
        return [record for line in lines if (record := _parse(line)) is not None], restarted


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):  # a torn, corrupt or absurdly nested line
        return None
    return record if isinstance(record, dict) else None


@dataclass
class LogSeries:
    """The curves of a training log: (step, training seconds, bits/sample) per training and validation row."""

    train: list[tuple[int, float, float]] = field(default_factory=list)
    val: list[tuple[int, float, float]] = field(default_factory=list)

    def add(self, records: list[dict[str, Any]]) -> None:
        """Append the rows in `records` (rows without a step, time or bits are ignored)."""
        for record in records:
            for key, series in (("train_bits", self.train), ("val_bits", self.val)):
                try:
                    point = (int(record["step"]), float(record["elapsed"]), float(record[key]))
                except (KeyError, TypeError, ValueError):
                    continue
                series.append(point)

    def last_step(self) -> int:
        return max((points[-1][0] for points in (self.train, self.val) if points), default=0)
