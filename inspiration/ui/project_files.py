"""New / open / save / save as / recent files / autosave / crash recovery for the window's project document.

Nothing the user made is lost: unsaved changes are asked about before they could be dropped, every change is
autosaved to a recovery file beside the project (or beside an "Untitled" file in the user's projects folder) within
`AUTOSAVE_INTERVAL_MS`, and a recovery file newer than its project is offered back on the next start.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from inspiration.engine.composition.project_io import discard_recovery, find_recovery
from inspiration.engine.errors import InspirationError
from inspiration.ui.document import PROJECT_SUFFIX, ProjectDocument
from inspiration.ui.settings_lists import read_strings

log = logging.getLogger("inspiration")
AUTOSAVE_INTERVAL_MS = 15_000
MAX_RECENT = 10
FILE_FILTER = f"Inspiration projects (*{PROJECT_SUFFIX} *.json);;All files (*)"


class ProjectFiles(QObject):
    """File operations with their dialogs. `untitled_path` is where an untitled project's autosave lives."""

    statusMessage = Signal(str)
    recentChanged = Signal()

    def __init__(self, document: ProjectDocument, window: QWidget, untitled_path: Path) -> None:
        super().__init__(window)
        self.document = document
        self.window = window
        self.untitled_path = untitled_path
        self._timer = QTimer(self)
        self._timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._timer.timeout.connect(self.autosave)
        self._timer.start()
        self._discarding = False  # "Discard" was answered; the autosave goes when the work is really replaced

    # -- commands -------------------------------------------------------------------------------------------------

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        left = self._current_file()
        self.document.new()
        self._replaced(left)
        return True

    def open(self, path: str | Path | None = None) -> bool:
        """Open `path` (or ask for one). Offers the autosave when it is newer than the file."""
        if not self.maybe_save():
            return False
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.window, "Open project", str(self._folder()), FILE_FILTER)
            if not chosen:
                self._discarding = False  # the work stays open, and so does its autosave
                return False
            path = chosen
        path = Path(path)
        recovery = find_recovery(path)
        left = self._current_file()
        try:
            if recovery is not None and self._ask_recover(recovery, path.name):
                self.document.open_recovered(recovery, path)
            else:
                if recovery is not None:
                    discard_recovery(path)  # the user said no: it is not offered again
                self.document.open(path)
        except InspirationError as exc:
            self._discarding = False
            QMessageBox.warning(self.window, "Cannot open the project", str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - an unforeseen fault in the file must not take the app down
            log.exception("opening %s failed", path)
            self._discarding = False
            QMessageBox.warning(
                self.window, "Cannot open the project", f"{path.name} could not be opened ({type(exc).__name__}: {exc})"
            )
            return False
        self._replaced(left)
        self._remember(path)
        offline = len(self.document.project.offline)
        note = f" — {offline} clip(s) offline: their media is missing" if offline else ""
        self.statusMessage.emit(f"Opened {path.name}{note}")
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        start = self.document.path or self._folder() / f"{self.document.display_name()}{PROJECT_SUFFIX}"
        chosen, _ = QFileDialog.getSaveFileName(self.window, "Save project as", str(start), FILE_FILTER)
        return bool(chosen) and self._save_to(Path(chosen))

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False when the user cancels (keep everything as it is)."""
        if not self.document.is_modified:
            return True
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"Save the changes to {self.document.display_name()}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._discarding = True  # its autosave goes once another project has replaced it (or the app closes)
            return True
        return False

    def autosave(self) -> None:
        try:
            if self.document.autosave(self.untitled_path):
                self.statusMessage.emit("Autosaved")
        except InspirationError as exc:
            self.statusMessage.emit(f"Autosave failed: {exc}")

    def offer_recovery(self) -> bool:
        """At start-up: reopen the untitled autosave or the last project's autosave if one is waiting."""
        candidates = [(self.untitled_path, None)] + [(Path(p), Path(p)) for p in self.recent()[:1]]
        for file, original in candidates:
            recovery = find_recovery(file)
            if recovery is None:
                continue
            name = original.name if original is not None else "an untitled project"
            if self._ask_recover(recovery, name):
                try:
                    self.document.open_recovered(recovery, original)
                except InspirationError as exc:
                    QMessageBox.warning(self.window, "Cannot recover the project", str(exc))
                    return False
                except Exception as exc:  # noqa: BLE001 - a damaged autosave must not stop the app from starting
                    log.exception("recovering %s failed", recovery)
                    QMessageBox.warning(self.window, "Cannot recover the project", f"{type(exc).__name__}: {exc}")
                    return False
                self.statusMessage.emit(f"Recovered unsaved work on {name}; save it to keep it")
                return True
            discard_recovery(file)
        return False

    def close_cleanly(self) -> None:
        """The window closes with nothing unsaved (or the changes discarded): no recovery offered next time."""
        self._timer.stop()
        if not self.document.is_modified or self._discarding:
            discard_recovery(self._current_file())

    # -- recent files ---------------------------------------------------------------------------------------------

    def recent(self) -> list[str]:
        return read_strings("files/recent")

    def forget_missing_recent(self) -> None:
        kept = [p for p in self.recent() if Path(p).is_file()]
        QSettings().setValue("files/recent", kept)
        self.recentChanged.emit()

    def _remember(self, path: Path) -> None:
        entry = str(path.resolve())
        paths = [entry] + [p for p in self.recent() if p != entry]
        settings = QSettings()
        settings.setValue("files/recent", paths[:MAX_RECENT])
        settings.setValue("files/folder", str(path.resolve().parent))
        self.recentChanged.emit()

    # -- helpers --------------------------------------------------------------------------------------------------

    def _save_to(self, path: Path) -> bool:
        try:
            saved = self.document.save(path)
        except (InspirationError, OSError) as exc:
            QMessageBox.warning(self.window, "Cannot save the project", str(exc))
            return False
        discard_recovery(self.untitled_path)
        self._remember(saved)
        self.statusMessage.emit(f"Saved {saved.name}")
        return True

    def _ask_recover(self, recovery: Path, name: str) -> bool:
        when = datetime.fromtimestamp(recovery.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self.window,
            "Recover unsaved work?",
            f"Inspiration found unsaved work on {name}, autosaved at {when} (the app did not close normally).\n\n"
            "Recover it? (No discards the autosave.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _current_file(self) -> Path:
        """The file the open project autosaves beside (its own, or the untitled one)."""
        return self.document.path or self.untitled_path

    def _replaced(self, left: Path) -> None:
        """Another project took the place of the one at `left`: drop the autosave of work the user discarded."""
        if self._discarding or left == self.untitled_path:
            discard_recovery(left)
        self._discarding = False

    def _folder(self) -> Path:
        folder = QSettings().value("files/folder", "")
        return Path(folder) if isinstance(folder, str) and folder and Path(folder).is_dir() else Path.home()
