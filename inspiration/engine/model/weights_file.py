"""Reading safetensors headers without torch: the metadata of a weights file, and the refusal of pickles.

A weights file's metadata carries its model config and training step, so listing models needs no weights.
Anything that is not a safetensors file (a PyTorch pickle above all) is refused before any parsing.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from inspiration.engine.errors import CheckpointError, LimitError
from inspiration.engine.limits import checked_float, checked_int, loads_limited, open_regular_file

WEIGHTS_FORMAT = "inspiration-samplernn"
#: Largest safetensors header read (a model's header is a few kB; a training state's some tens of kB).
MAX_HEADER_BYTES = 16 * 2**20
#: Largest weights or training-state file loaded (a paper-size model's training state is some hundred MB).
MAX_WEIGHTS_BYTES = 64 * 2**30
#: Metadata values with a known meaning, checked wherever they are read: (kind, low, high).
_KNOWN: dict[str, tuple[type, float, float]] = {
    "step": (int, 0, 10**12),
    "best_step": (int, 0, 10**12),
    "elapsed_seconds": (float, 0.0, 1e9),
    "val_bits": (float, 0.0, 1e6),
    "best_val_bits": (float, 0.0, 1e6),
}


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Only the metadata of a safetensors file: reads the header, not the tensors."""
    path = Path(path)
    with open_checked(path) as handle:
        head = handle.read(8)
        data = head + handle.read(struct.unpack("<Q", head)[0])
    return metadata_from_bytes(path, data)


def header_size(head: bytes, file_size: int) -> int | None:
    """The header length a safetensors file's first 8 bytes give, or None when that cannot be a header."""
    if len(head) < 9 or head[8:9] != b"{":
        return None
    size = int(struct.unpack("<Q", head[:8])[0])
    return size if size <= min(file_size - 8, MAX_HEADER_BYTES) else None


def ensure_safetensors(path: Path) -> None:
    """Raise CheckpointError unless `path` holds a safetensors header; pickles are named as such, never opened."""
    with open_checked(path):
        pass


def open_checked(path: Path) -> BinaryIO:
    """Open a safetensors file for reading; anything else (a pickle above all) is refused before any parsing."""
    try:
        handle = open_regular_file(path, MAX_WEIGHTS_BYTES, "the weights file")
    except FileNotFoundError:
        raise CheckpointError(f"{path} does not exist") from None
    except LimitError as exc:
        raise CheckpointError(str(exc)) from None
    except OSError as exc:
        raise CheckpointError(f"{path} cannot be read ({exc.strerror or exc})") from None
    head = handle.read(9)
    handle.seek(0)
    size = os.fstat(handle.fileno()).st_size
    if header_size(head, size) is not None:
        return handle
    handle.close()
    if head[:4] == b"PK\x03\x04" or (head[:1] == b"\x80" and head[1:2] in b"\x02\x03\x04\x05"):
        raise CheckpointError(
            f"{path} is a PyTorch pickle file; Inspiration only loads safetensors model folders, because "
            "unpickling a file can run arbitrary code. Convert it in a trusted environment if you wrote it."
        )
    raise CheckpointError(f"{path} is not a safetensors file")


def metadata_from_bytes(path: Path, data: bytes) -> dict[str, Any]:
    """Decode the JSON values of the header's `__metadata__` (data: the file's bytes from its start)."""
    size = struct.unpack("<Q", data[:8])[0] if len(data) >= 8 else 0
    if not 2 <= size <= min(len(data) - 8, MAX_HEADER_BYTES):
        raise CheckpointError(f"{path} has a damaged header (its length {size} does not fit the file)")
    try:
        header = loads_limited(data[8 : 8 + size].decode("utf-8"), "its header")
        raw = header.get("__metadata__") or {}
        if not isinstance(raw, dict):
            raise CheckpointError(f"{path} has unreadable metadata (not an object)")
        metadata = {str(key): loads_limited(str(value), f"its metadata {key!r}") for key, value in raw.items()}
    except (AttributeError, TypeError, UnicodeDecodeError, LimitError) as exc:
        raise CheckpointError(f"{path} has an unreadable header ({exc})") from exc
    return checked_metadata(path, metadata)


def checked_metadata(path: Path, metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` with its known numbers checked (the step a whole number, bits and seconds finite, ...)."""
    for key, (kind, low, high) in _KNOWN.items():
        value = metadata.get(key)
        if value is None:
            continue
        if kind is float and isinstance(value, float) and math.isnan(value):
            metadata[key] = None  # a validation that could not be computed (written by older versions)
            continue
        try:
            if kind is int:
                metadata[key] = checked_int(value, key, int(low), int(high))
            else:
                metadata[key] = checked_float(value, key, low, high)
        except LimitError as exc:
            raise CheckpointError(f"{path} has damaged metadata: {exc}") from None
    return metadata
