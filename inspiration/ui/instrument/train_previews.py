"""The previews a run writes (`previews/step-N.wav`), listed newest first, to audition or keep in the library."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

_PREVIEW = re.compile(r"step-(\d+)\.wav$")


class TrainPreviews(QWidget):
    """Signals: `auditionRequested(path)` (double-click or Play), `addRequested(path)` (Add to library)."""

    auditionRequested = Signal(object)
    addRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder: Path | None = None
        self.list = QListWidget()
        self.list.setMaximumHeight(68)
        self.list.itemDoubleClicked.connect(lambda item: self.auditionRequested.emit(_item_path(item)))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Listen to the selected preview")
        self.play_button.clicked.connect(self._play)
        self.keep_button = QPushButton("Add to library")
        self.keep_button.setToolTip("Add the selected previews to the clip library")
        self.keep_button.clicked.connect(self._keep)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_model(self, folder: Path | None) -> None:
        """List the previews of the model folder `folder` (None: none)."""
        self._folder = folder
        self.list.clear()
        self.refresh()

    def refresh(self) -> None:
        """Look for new previews (cheap: one folder listing)."""
        folder = self._folder / "previews" if self._folder else None
        found = sorted(folder.glob("step-*.wav"), reverse=True) if folder and folder.is_dir() else []
        if found == [_item_path(self.list.item(i)) for i in range(self.list.count())]:
            return
        selected = {_item_path(item) for item in self.list.selectedItems()}
        self.list.clear()
        for path in found:
            match = _PREVIEW.search(path.name)
            item = QListWidgetItem(f"♪ step {int(match[1]):,}" if match else path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.list.addItem(item)
            item.setSelected(path in selected)
        self._update_buttons()

    def _play(self) -> None:
        for item in self.list.selectedItems()[:1]:
            self.auditionRequested.emit(_item_path(item))

    def _keep(self) -> None:
        for item in self.list.selectedItems():
            self.addRequested.emit(_item_path(item))

    def _update_buttons(self) -> None:
        chosen = bool(self.list.selectedItems())
        self.play_button.setEnabled(chosen)
        self.keep_button.setEnabled(chosen)


def _item_path(item: QListWidgetItem) -> Path:
    return Path(item.data(Qt.ItemDataRole.UserRole))
