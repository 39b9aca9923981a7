"""The clip library panel: filter bar, clip list, import progress, and the jobs that read and change the library.

Threads: the GUI thread owns the widgets; every library read or write (listing, rating, discarding, importing) runs
as a JobRunner job, and its result is applied here when it arrives. The clips/ folder is watched so that clips
written by another process (a generation run) show up on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.clip_record import ClipRecord
from inspiration.engine.library.importer import ImportProgress, ImportResult, import_paths
from inspiration.ui.jobs import Job, JobRunner
from inspiration.ui.library.filter_bar import FilterBar
from inspiration.ui.library.model import ClipListModel
from inspiration.ui.library.query import Listing, clip_name, read_listing
from inspiration.ui.library.view import ClipListView
from inspiration.ui.mime import audio_paths_from_mime
from inspiration.ui.theme import COLORS

#: Changes in clips/ closer together than this cause one refresh.
WATCH_DELAY_MS = 400
EMPTY_HINT = "Your library is empty.\n\nDrop audio files or a folder here,\nor File ▸ Import…"
NO_MATCH_HINT = "No clips match these filters."
LibraryEdit = Callable[[ClipLibrary, str], ClipRecord]


#: What File ▸ Import audio offers (any file may be chosen; unreadable ones are skipped and reported).
IMPORT_FILTER = "Audio (*.wav *.flac *.ogg *.mp3 *.aiff *.aif);;All files (*)"


class LibraryPanel(QWidget):
    """Signals: `auditionRequested(path)` to play a clip's audio file, `auditionStopRequested()`,
    `statusMessage(text)` for the status bar, `selectionChanged(ids)` with the selected clip ids in list order;
    for a generated clip, `curveRequested(record, with_seed)` (load its curve, and its seed) and
    `variationsRequested(record)` (generate more with its curve and new seeds)."""

    auditionRequested = Signal(object)
    auditionStopRequested = Signal()
    statusMessage = Signal(str)
    selectionChanged = Signal(list)
    curveRequested = Signal(object, bool)
    variationsRequested = Signal(object)

    def __init__(self, library: ClipLibrary, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._jobs = jobs
        self._listing_job: Job | None = None
        self._listing_pending: bool | None = None  # None: no refresh waiting; else whether it rescans clips/
        self._imports: list[Job] = []
        self._running_imports = 0
        self._last_imported = 0
        self._cancelling = False
        self._select_next: list[str] | None = None
        self._selection: list[str] = []
        #: False when there is no audio output: an audition then shows no ▶ badge.
        self.playback_available = True

        self.filter_bar = FilterBar(self)
        self.model = ClipListModel(self)
        self.view = ClipListView(self.model, self)
        self.hint = QLabel(EMPTY_HINT, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.hint.setStyleSheet(f"color: {COLORS.text_dim}; background: {COLORS.base}; padding: 16px;")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.hint)
        self.footer = QLabel(self)
        self.footer.setStyleSheet(f"color: {COLORS.text_dim}; padding: 2px 8px;")
        self._progress_row = self._make_progress_row()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self._progress_row)
        layout.addWidget(self.footer)
        self.setAcceptDrops(True)
        self.setMinimumWidth(240)

        self.filter_bar.queryChanged.connect(self.refresh)
        self.view.rateRequested.connect(self.rate)
        self.view.discardRequested.connect(self.discard)
        self.view.auditionClicked.connect(lambda clip_id: self.audition(clip_id, toggle=False))
        self.view.auditionToggled.connect(lambda clip_id: self.audition(clip_id, toggle=True))
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

        self._watcher = QFileSystemWatcher(self)
        self._watch_timer = QTimer(self, singleShot=True, interval=WATCH_DELAY_MS)
        self._watch_timer.timeout.connect(lambda: self.refresh(rescan=True))
        self._watcher.directoryChanged.connect(self._watch_timer.start)
        self._watch(library)
        self.refresh()

    def _make_progress_row(self) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(6, 4, 6, 4)
        self.progress_label = QLabel(row)
        self.progress_bar = QProgressBar(row, textVisible=False)
        self.progress_bar.setMaximumHeight(6)
        self.cancel_button = QPushButton("Cancel", row)
        self.cancel_button.setToolTip("Stop importing (clips already imported stay)")
        self.cancel_button.clicked.connect(self.cancel_imports)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.cancel_button)
        row.hide()
        return row

    # -- public API -----------------------------------------------------------------------------------------------

    @property
    def library(self) -> ClipLibrary:
        return self._library

    def set_library(self, library: ClipLibrary) -> None:
        """Show another library (its selection starts empty)."""
        self._watch(library)
        self._library = library
        self.model.set_playing(None)
        self.model.set_records([])
        self.refresh()

    def refresh(self, rescan: bool = False) -> None:
        """Re-read the list in a job (one at a time: a refresh asked for meanwhile runs when it ends). `rescan` also
        adopts audio files that appeared in clips/ without a record."""
        if self._listing_job is not None:
            self._listing_pending = bool(self._listing_pending) or rescan
            return
        library, query = self._library, self.filter_bar.query()
        job = self._jobs.start(
            "Read the clip library", lambda report, stop: (library, read_listing(library, query, rescan))
        )
        job.succeeded.connect(self._listing_ready)
        job.failed.connect(self.statusMessage)
        job.finished.connect(self._listing_finished)
        self._listing_job = job

    @property
    def refreshing(self) -> bool:
        """True while the list is being re-read."""
        return self._listing_job is not None

    def selected_ids(self) -> list[str]:
        return self.view.selected_ids()

    def choose_files_to_import(self) -> Job | None:
        """Ask for audio files and import them (File ▸ Import audio)."""
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import audio into the clip library", str(Path.home()), IMPORT_FILTER
        )
        return self.import_paths(files) if files else None

    def choose_folder_to_import(self) -> Job | None:
        """Ask for a folder and import every audio file under it (File ▸ Import folder)."""
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of clips", str(Path.home()))
        return self.import_paths([folder]) if folder else None

    def import_paths(self, paths: Sequence[str | Path]) -> Job:
        """Import audio files and folders (walked) into the library in a job; its result is an ImportResult.
        Progress shows under the list with a Cancel button; one summary goes to `statusMessage` at the end."""
        library, chosen = self._library, list(paths)
        job = self._jobs.start("Import audio", lambda report, stop: import_paths(library, chosen, report, stop))
        job.progressed.connect(self._import_progressed)
        job.succeeded.connect(self._import_succeeded)
        job.failed.connect(self._import_failed)
        job.finished.connect(self._import_finished)
        self._imports.append(job)
        self._running_imports += 1
        self.progress_label.setText("Importing…")
        self.progress_bar.setRange(0, 0)
        self._progress_row.show()
        return job

    def cancel_imports(self) -> None:
        for job in self._imports:
            if shiboken6.isValid(job):  # a finished job may be gone already
                job.cancel()
        self._cancelling = True
        self.progress_label.setText("Cancelling…")

    def rate(self, clip_ids: list[str], stars: int) -> Job:
        """Give clips 0–5 stars (in a job)."""
        text = (
            f"Rated {self._describe(clip_ids)} {stars} ★"
            if stars
            else f"Cleared the rating of {self._describe(clip_ids)}"
        )
        return self._edit(clip_ids, lambda library, clip_id: library.rate(clip_id, stars), text)

    def discard(self, clip_ids: list[str]) -> Job:
        """Hide clips from the list; recoverable with "Show discarded" and Restore."""
        text = f"Discarded {self._describe(clip_ids)}. To undo: tick “Show discarded”, right-click ▸ Restore."
        return self._edit(clip_ids, ClipLibrary.discard, text)

    def restore(self, clip_ids: list[str]) -> Job:
        return self._edit(clip_ids, ClipLibrary.restore, f"Restored {self._describe(clip_ids)}")

    def audition(self, clip_id: str, toggle: bool = False) -> None:
        """Ask to play a clip; with `toggle`, a second request for the clip being played stops it."""
        row = self.model.row_of(clip_id)
        if row is None:
            return
        record = self.model.record(row)
        if toggle and self.model.playing == clip_id:
            self.model.set_playing(None)
            self.auditionStopRequested.emit()
            return
        if record.missing:
            self.statusMessage.emit(f"Cannot play {clip_name(record)}: its audio file {record.path} is missing")
            return
        if self.playback_available:  # no ▶ badge for a clip that cannot sound (the transport says why)
            self.model.set_playing(clip_id)
        self.auditionRequested.emit(self._library.folder / record.path)

    def audition_finished(self) -> None:
        """Tell the panel that playback of the auditioned clip ended (the next Space plays again)."""
        self.model.set_playing(None)

    # -- listing --------------------------------------------------------------------------------------------------

    def _listing_ready(self, result: tuple[ClipLibrary, Listing]) -> None:
        library, listing = result
        if library is not self._library:  # read before set_library
            return
        keep = self._select_next if self._select_next is not None else self.view.selected_ids()
        self._select_next = None
        current = self.view.current_record()
        old_selection = self._selection
        self.view.selectionModel().selectionChanged.disconnect(self._selection_changed)
        self.model.set_records(listing.records)
        self.view.select_ids(keep, current.id if current else (keep[0] if keep else None))
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection = self.view.selected_ids()
        if self._selection != old_selection:
            self.selectionChanged.emit(self._selection)
        self.filter_bar.set_models(listing.models)
        self.hint.setText(EMPTY_HINT if listing.total == 0 else NO_MATCH_HINT)
        self._stack.setCurrentWidget(self.view if listing.records else self.hint)
        hidden = listing.total - len(listing.records)
        self.footer.setVisible(listing.total > 0)
        self.footer.setText(
            f"{len(listing.records)} clip{'' if len(listing.records) == 1 else 's'}"
            + (f" · {hidden} hidden by filters" if hidden else "")
        )

    def _listing_finished(self) -> None:
        self._listing_job = None
        if self._listing_pending is not None:
            rescan, self._listing_pending = self._listing_pending, None
            self.refresh(rescan)

    def _selection_changed(self) -> None:
        self._selection = self.view.selected_ids()
        self.selectionChanged.emit(self._selection)

    # -- editing --------------------------------------------------------------------------------------------------

    def _edit(self, clip_ids: list[str], change: LibraryEdit, message: str) -> Job:
        library, ids = self._library, list(clip_ids)
        job = self._jobs.start("Update clips", lambda report, stop: (message, [change(library, i) for i in ids]))
        job.succeeded.connect(self._edit_succeeded)
        job.failed.connect(self.statusMessage)
        return job

    def _edit_succeeded(self, result: tuple[str, list[ClipRecord]]) -> None:
        message, records = result
        for record in records:
            self.model.update_record(record)
        self.statusMessage.emit(message)
        self.refresh()

    def _describe(self, clip_ids: list[str]) -> str:
        if len(clip_ids) != 1:
            return f"{len(clip_ids)} clips"
        row = self.model.row_of(clip_ids[0])
        return clip_name(self.model.record(row)) if row is not None else clip_ids[0]

    # -- importing ------------------------------------------------------------------------------------------------

    def _import_progressed(self, progress: ImportProgress) -> None:
        if progress.imported != self._last_imported:  # new clips show up while the import goes on
            self._last_imported = progress.imported
            self.refresh()
        self.progress_bar.setRange(0, progress.total)
        self.progress_bar.setValue(progress.done)
        if not self._cancelling:
            self.progress_label.setText(f"Importing {progress}")

    def _import_succeeded(self, result: ImportResult) -> None:
        self.statusMessage.emit(result.summary())
        if result.clip_ids:
            self._select_next = list(result.clip_ids)
        self.refresh()

    def _import_failed(self, message: str) -> None:
        self.statusMessage.emit(f"Import failed: {message}")

    def _import_finished(self) -> None:
        self._running_imports -= 1
        if self._running_imports == 0:
            self._imports.clear()
            self._cancelling = False
            self._last_imported = 0
            self._progress_row.hide()

    # -- context menu, drops, watching ----------------------------------------------------------------------------

    def context_menu(self, records: list[ClipRecord]) -> QMenu:
        """The menu for these clips: Audition, the curve of a generated clip (use it, with its seed, or generate
        variations), Rate ▸, Discard / Restore, Reveal in file manager, Copy path."""
        menu = QMenu(self)
        ids = [r.id for r in records]
        if len(records) == 1:
            menu.addAction("Audition", lambda: self.audition(ids[0]))
            self._curve_actions(menu, records[0])
        rate = menu.addMenu("Rate")
        for stars in range(6):
            rate.addAction("No rating" if stars == 0 else "★" * stars, partial(self.rate, ids, stars))
        if any(not r.discarded for r in records):
            menu.addAction("Discard", lambda: self.discard([r.id for r in records if not r.discarded]))
        if any(r.discarded for r in records):
            menu.addAction("Restore", lambda: self.restore([r.id for r in records if r.discarded]))
        menu.addSeparator()
        paths = [self._library.folder / r.path for r in records]
        menu.addAction(
            "Reveal in file manager", lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths[0].parent)))
        )
        menu.addAction(
            "Copy path" if len(paths) == 1 else "Copy paths",
            lambda: QGuiApplication.clipboard().setText("\n".join(str(p) for p in paths)),
        )
        return menu

    def _curve_actions(self, menu: QMenu, record: ClipRecord) -> None:
        """The three ways to reuse how a clip was made; disabled, with the reason, for a clip without a curve."""
        made = record.curve is not None
        seeded = made and record.seed is not None
        actions = (
            ("Use this clip's curve", lambda: self.curveRequested.emit(record, False), made),
            ("Use this clip's curve and seed", lambda: self.curveRequested.emit(record, True), seeded),
            ("Generate variations", lambda: self.variationsRequested.emit(record), made),
        )
        menu.addSeparator()
        for text, slot, enabled in actions:
            action = menu.addAction(text, slot)
            action.setEnabled(enabled)
            if not enabled:
                action.setToolTip("Only a generated clip carries the curve (and seed) it was made with")
        menu.setToolTipsVisible(True)
        menu.addSeparator()

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        self.context_menu(self.view.selected_records()).exec(self.view.viewport().mapToGlobal(pos))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if audio_paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
            self.statusMessage.emit("Drop to import these files into the library")

    def dropEvent(self, event: QDropEvent) -> None:
        paths = audio_paths_from_mime(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_paths(list(paths))

    def _watch(self, library: ClipLibrary) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        if library.clips_folder.is_dir():
            self._watcher.addPath(str(library.clips_folder))
