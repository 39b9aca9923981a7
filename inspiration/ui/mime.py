"""The drag-and-drop format for clips dragged out of the library: a JSON list of clip-library ids."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

CLIP_IDS_MIME = "application/x-inspiration-clip-ids"


def clip_ids_mime(clip_ids: list[str]) -> QMimeData:
    """Mime data carrying library clip ids (and their count as text, for drops onto other programs)."""
    data = QMimeData()
    data.setData(CLIP_IDS_MIME, json.dumps(list(clip_ids)).encode())
    data.setText(f"{len(clip_ids)} Inspiration clip(s)")
    return data


def clip_ids_from_mime(data: QMimeData) -> list[str]:
    """The library clip ids a drop carries ([] when it carries none or is malformed)."""
    if not data.hasFormat(CLIP_IDS_MIME):
        return []
    try:
        ids = json.loads(bytes(data.data(CLIP_IDS_MIME).data()).decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def audio_paths_from_mime(data: QMimeData) -> list[str]:
    """Local files a drop from the file manager carries (folders included; the importer walks them)."""
    return [url.toLocalFile() for url in data.urls() if url.isLocalFile()] if data.hasUrls() else []
