"""The list model of library clips: one row per ClipRecord, in the order the listing gave them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt

from inspiration.engine.library.clip_record import ClipRecord
from inspiration.ui.library.query import clip_name
from inspiration.ui.mime import CLIP_IDS_MIME, clip_ids_mime

#: The ClipRecord of a row.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
#: True for the row being auditioned.
PLAYING_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class ClipListModel(QAbstractListModel):
    """Records shown by the library list; `set_records` replaces them, `update_record` changes one in place."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[ClipRecord] = []
        self._playing: str | None = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return clip_name(record)
        if role == RECORD_ROLE:
            return record
        if role == PLAYING_ROLE:
            return record.id == self._playing
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [CLIP_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return clip_ids_mime([self._records[r].id for r in rows])

    # -- contents -------------------------------------------------------------------------------------------------

    def set_records(self, records: Sequence[ClipRecord]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def update_record(self, record: ClipRecord) -> None:
        """Show a changed record (after rating, discarding) without re-reading the library."""
        row = self.row_of(record.id)
        if row is not None:
            self._records[row] = record
            self.dataChanged.emit(self.index(row), self.index(row))

    def records(self) -> list[ClipRecord]:
        return list(self._records)

    def record(self, row: int) -> ClipRecord:
        return self._records[row]

    def row_of(self, clip_id: str) -> int | None:
        for row, record in enumerate(self._records):
            if record.id == clip_id:
                return row
        return None

    def set_playing(self, clip_id: str | None) -> None:
        """Mark the clip being auditioned (None: none)."""
        changed = {self._playing, clip_id} - {None}
        self._playing = clip_id
        for row in (self.row_of(i) for i in changed if i is not None):
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row), [PLAYING_ROLE])

    @property
    def playing(self) -> str | None:
        return self._playing
