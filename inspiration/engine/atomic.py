"""Atomic file writes: write a temporary file beside the target, then `os.replace` it.

A reader sees either the old file or the complete new one, never a half-written file, and a failed or
cancelled write leaves the previous file untouched. A process killed mid-write (kill -9, a power cut) leaves its
hidden temporary file `.NAME.PID-RANDOM.tmpSUFFIX` behind; the next write of the same target, and
`remove_stale_temporaries` at the start of a library or a training run, delete those whose writer is gone.
"""

from __future__ import annotations

import glob
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inspiration.engine.errors import OutputNotWritableError


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `target` atomically.

    The temporary name keeps the target's suffix so that writers which infer a format from it still work.
    If the block raises, the temporary file is removed and the target is left as it was.
    """
    target = Path(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder, target.stem)
        prefix = f".{target.stem}.{os.getpid()}-"
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=f".tmp{target.suffix}", dir=folder)
    except OSError as exc:
        raise OutputNotWritableError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    _copy_mode(target, tmp)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


#: Temporary files without a writer's pid (older versions) count as stale after this many seconds.
UNTAGGED_STALE_SECONDS = 3600.0
_TAGGED = re.compile(r"\.(\d+)-[^./]+\.tmp[^/]*$")


def remove_stale_temporaries(folder: str | os.PathLike[str], stem: str | None = None) -> int:
    """Delete the temporary files of killed writes in `folder` (of targets named `stem`, or all); returns how many.

    A file whose name carries a pid is stale when no process with that pid runs; one without a pid (written by an
    older version) when it is over an hour old. Errors are ignored: this is housekeeping.
    """
    pattern = f".{glob.escape(stem)}.*.tmp*" if stem is not None else ".*.tmp*"
    removed = 0
    for path in Path(folder).glob(pattern):
        try:
            if _is_stale(path):
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _is_stale(path: Path) -> bool:
    tagged = _TAGGED.search(path.name)
    if tagged is None or os.name == "nt":  # Windows: os.kill(pid, 0) would end that process
        return time.time() - path.lstat().st_mtime > UNTAGGED_STALE_SECONDS
    pid = int(tagged.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False
    return False


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 `text` to `target` atomically."""
    write_bytes_atomic(target, text.encode("utf-8"))


def write_json_atomic(target: str | os.PathLike[str], obj: Any) -> None:
    """Write `obj` as indented JSON to `target` atomically."""
    write_text_atomic(target, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def _copy_mode(target: Path, tmp: Path) -> None:
    """Give the new file the old one's permissions, or the usual rw-r--r-- (mkstemp makes it private)."""
    try:
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
        os.chmod(tmp, mode)
    except OSError:
        pass


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not supported on every platform (Windows); the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
