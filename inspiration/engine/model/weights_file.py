"""Reading safetensors headers without torch: the metadata of a weights file, and the refusal of pickles.

A weights file's metadata carries its model config and training step, so listing models needs no weights.
Anything that is not a safetensors file (a PyTorch pickle above all) is refused before any parsing.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from inspiration.engine.errors import CheckpointError

WEIGHTS_FORMAT = "inspiration-samplernn"


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Only the metadata of a safetensors file: reads the header, not the tensors."""
    path = Path(path)
    with open_checked(path) as handle:
        head = handle.read(8)
        data = head + handle.read(struct.unpack("<Q", head)[0])
    return metadata_from_bytes(path, data)


def ensure_safetensors(path: Path) -> None:
    """Raise CheckpointError unless `path` holds a safetensors header; pickles are named as such, never opened."""
    with open_checked(path):
        pass


def open_checked(path: Path) -> BinaryIO:
    """Open a safetensors file for reading; anything else (a pickle above all) is refused before any parsing."""
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist")
    handle = open(path, "rb")
    head = handle.read(9)
    handle.seek(0)
    size = os.fstat(handle.fileno()).st_size
    if len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] <= size:
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
    size = struct.unpack("<Q", data[:8])[0]
    try:
        header = json.loads(data[8 : 8 + size])
        return {key: json.loads(value) for key, value in (header.get("__metadata__") or {}).items()}
    except (AttributeError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} has an unreadable header ({exc})") from exc
