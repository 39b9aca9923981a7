"""The audio a model learns from: folders and files, added with buttons or dropped from the file manager."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFileIconProvider,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspiration.ui.theme import COLORS, qcolor

AUDIO_FILTER = "Audio (*.wav *.flac *.ogg *.mp3 *.aif *.aiff *.m4a *.opus);;All files (*)"


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The existing local folders and files among a drop's URLs."""
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if p.exists()]


class _DropList(QListWidget):
    dropped = Signal(list)

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.dropped.emit(paths)


class TrainSources(QWidget):
    """Signal: `sourcesChanged(list[Path])`. Folders are searched recursively by the trainer."""

    sourcesChanged = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icons = QFileIconProvider()
        self.list = _DropList()
        self.list.setMinimumHeight(56)
        self.list.setMaximumHeight(80)
        self.list.setToolTip("Folders and files of audio to learn from; drop folders here from your file manager")
        self.list.dropped.connect(self.add)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.folder_button = QPushButton("Add folder…")
        self.folder_button.clicked.connect(self.choose_folder)
        self.files_button = QPushButton("Add files…")
        self.files_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.folder_button, self.files_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._placeholder()
        self._update_buttons()

    def paths(self) -> list[Path]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [Path(item.data(Qt.ItemDataRole.UserRole)) for item in items if item.data(Qt.ItemDataRole.UserRole)]

    def add(self, paths: list[Path]) -> None:
        """Add folders or files (each once)."""
        known = {p.resolve() for p in self.paths()}
        new = [p.resolve() for p in map(Path, paths) if p.resolve() not in known]
        if not new:
            return
        if not self.paths():
            self.list.clear()
        for path in dict.fromkeys(new):
            kind = QFileIconProvider.IconType.Folder if path.is_dir() else QFileIconProvider.IconType.File
            item = QListWidgetItem(self._icons.icon(kind), path.name)
            item.setToolTip(str(path))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.list.addItem(item)
        self._update_buttons()
        self.sourcesChanged.emit(self.paths())

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            if item.data(Qt.ItemDataRole.UserRole):
                self.list.takeItem(self.list.row(item))
        if not self.paths():
            self._placeholder()
        self._update_buttons()
        self.sourcesChanged.emit(self.paths())

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of audio to learn from")
        if folder:
            self.add([Path(folder)])

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add audio files to learn from", "", AUDIO_FILTER)
        if files:
            self.add([Path(f) for f in files])

    def _placeholder(self) -> None:
        self.list.clear()
        item = QListWidgetItem("Drop folders of your music here, or use Add folder…")
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setForeground(qcolor(COLORS.text_dim))
        self.list.addItem(item)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(any(i.data(Qt.ItemDataRole.UserRole) for i in self.list.selectedItems()))
