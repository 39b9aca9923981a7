"""The open project as the window sees it: the engine's Project, its file, and a QUndoStack of engine edits.

Every change goes through `apply(command)`: the engine command is done once (an EditError leaves the project as it
was and is reported through `editRefused`), then recorded on the undo stack; undo and redo call the command's own
undo/do. Views listen to `changed` and redraw from `project`; they never change the project themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from inspiration.engine.composition.edits import Command
from inspiration.engine.composition.project import LibraryResolver, Project, check_media
from inspiration.engine.composition.project_io import autosave, discard_recovery, load_project, save_project
from inspiration.engine.errors import EditError

#: The extension of project files (JSON inside).
PROJECT_SUFFIX = ".inspiration"


class EditCommand(QUndoCommand):
    """An engine edit command on the Qt undo stack. It is pushed already done, so its first redo does nothing."""

    def __init__(self, document: ProjectDocument, command: Command) -> None:
        super().__init__(command.text)
        self.command = command
        self._document = document
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.command.do(self._document.project)
        self._document.notify()

    def undo(self) -> None:
        self.command.undo(self._document.project)
        self._document.notify()


class ProjectDocument(QObject):
    """Signals: `changed()` after any change to the project (edit, undo, redo, new, open); `pathChanged(path)`;
    `modifiedChanged(modified)`; `editRefused(message)` when an edit is not possible; `replaced()` when another
    project (new, opened, recovered) takes the place of the current one."""

    changed = Signal()
    pathChanged = Signal(object)
    modifiedChanged = Signal(bool)
    editRefused = Signal(str)
    replaced = Signal()

    def __init__(
        self,
        library: LibraryResolver | None = None,
        parent: QObject | None = None,
        library_folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        #: The clip library the window uses; a saved project remembers it (so the CLI renders it the same way).
        self.library_folder = library_folder
        #: Gives the generate settings (curve, clip length, …) a saved project keeps; None keeps the project's own.
        self.generate_settings: Callable[[], dict[str, Any]] | None = None
        self.project = Project()
        self.path: Path | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._autosaved_revision = self.project.revision

    # -- editing --------------------------------------------------------------------------------------------------

    def apply(self, command: Command) -> bool:
        """Do an edit and make it undoable; False (and `editRefused`) when the engine refuses it."""
        try:
            command.do(self.project)
        except EditError as exc:
            self.editRefused.emit(str(exc))
            return False
        self.undo_stack.push(EditCommand(self, command))
        self.notify()
        return True

    def apply_all(self, text: str, commands: list[Command]) -> bool:
        """Several edits as one undo step (all or nothing)."""
        done: list[Command] = []
        try:
            for command in commands:
                command.do(self.project)
                done.append(command)
        except EditError as exc:
            for command in reversed(done):
                command.undo(self.project)
            self.editRefused.emit(str(exc))
            return False
        if not done:
            return False
        self.undo_stack.beginMacro(text)
        for command in done:
            self.undo_stack.push(EditCommand(self, command))
        self.undo_stack.endMacro()
        self.notify()
        return True

    def notify(self) -> None:
        """Recheck which clips are offline and tell the views that the project changed."""
        check_media(self.project, self.library)
        self.changed.emit()

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    # -- files ----------------------------------------------------------------------------------------------------

    def new(self, sample_rate: int = 48000) -> None:
        """Start an empty project (callers ask about unsaved changes first)."""
        self._replace(Project(sample_rate=sample_rate), None)

    def open(self, path: str | Path) -> None:
        """Load a project file; raises ProjectFileError with a message for the user when it cannot be read."""
        path = Path(path)
        self._replace(load_project(path, self.library), path)

    def open_recovered(self, recovery: Path, original: Path | None) -> None:
        """Load an autosave; the project keeps its original file name and shows as modified until saved."""
        project = load_project(recovery, self.library)
        if original is not None:
            project.folder = original.parent.resolve()
        self._replace(project, original)
        self.undo_stack.resetClean()  # nothing on the stack matches the file on disk
        self.modifiedChanged.emit(True)

    def save(self, path: str | Path | None = None) -> Path:
        """Save (to `path`, or the current file); raises ProjectFileError/OutputNotWritableError on failure."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("an untitled project needs a file name to be saved")
        if target.suffix == "":
            target = target.with_suffix(PROJECT_SUFFIX)
        old = self.path
        self._gather()
        save_project(self.project, target)
        if old is not None and old != target:
            discard_recovery(old)
        self.path = target
        self._autosaved_revision = self.project.revision
        self.undo_stack.setClean()
        self.pathChanged.emit(target)
        return target

    def autosave(self, untitled_path: Path) -> bool:
        """Write the recovery file when there are unsaved changes not yet autosaved (an untitled project autosaves
        as if it were saved at `untitled_path`); True when it wrote."""
        if not self.is_modified or self.project.revision == self._autosaved_revision:
            return False
        self._gather()
        autosave(self.project, self.path or untitled_path)
        self._autosaved_revision = self.project.revision
        return True

    def _gather(self) -> None:
        """What a saved project keeps beside its timeline: the clip library's folder and the generate settings."""
        if self.library_folder is not None:
            self.project.library = Path(self.library_folder).absolute()
        if self.generate_settings is not None:
            self.project.generate = self.generate_settings()

    def _clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def display_name(self) -> str:
        return self.path.stem if self.path is not None else "Untitled"

    def _replace(self, project: Project, path: Path | None) -> None:
        self.project = project
        self.path = path
        self._autosaved_revision = project.revision
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.pathChanged.emit(path)
        self.modifiedChanged.emit(False)
        self.notify()
        self.replaced.emit()
