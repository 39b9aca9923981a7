"""The main window: library on the left, timeline in the centre, inspector on the right, transport on top.

It owns the long-lived pieces (clip library, project document, job runner, transport) and wires their signals;
the panels themselves hold no references to each other.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from inspiration import __version__
from inspiration.engine.composition.demo import install_demo
from inspiration.engine.composition.mix import Mixer
from inspiration.engine.errors import InspirationError
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.clip_record import ClipRecord
from inspiration.engine.library.manifest import MANIFEST_NAME
from inspiration.engine.places import Places
from inspiration.ui.audio_notice import show_audio_notice
from inspiration.ui.document import ProjectDocument
from inspiration.ui.export_dialog import ExportDialog
from inspiration.ui.icons import app_icon, icon
from inspiration.ui.inspector import ClipInspector
from inspiration.ui.instrument.generate_tab import GenerateTab
from inspiration.ui.instrument.live_panel import LivePanel
from inspiration.ui.instrument.model_picker import model_roots
from inspiration.ui.instrument.train_panel import TrainPanel
from inspiration.ui.job_status import JobStatus
from inspiration.ui.jobs import Job, JobRunner
from inspiration.ui.library import LibraryPanel
from inspiration.ui.library.lineage_strip import LineageStrip
from inspiration.ui.library_access import LibraryAccess, open_library
from inspiration.ui.playback import PlayState, Transport
from inspiration.ui.playback.time_display import TimeDisplay
from inspiration.ui.project_files import ProjectFiles
from inspiration.ui.shortcuts_overlay import ShortcutsOverlay
from inspiration.ui.text_keys import TextEntryKeys
from inspiration.ui.timeline import TimelineView
from inspiration.ui.undo_focus import FocusUndo
from inspiration.ui.window_menus import build_menus, build_toolbar

log = logging.getLogger(__name__)
STATUS_TIMEOUT_MS = 6000


class MainWindow(QMainWindow):
    """The app's one window. `output_factory` replaces the sound card (tests, screenshots)."""

    def __init__(self, places: Places, library_folder: Path | None = None, output_factory=None) -> None:
        super().__init__()
        self.places = places
        self.setWindowIcon(app_icon())
        self.setDockNestingEnabled(True)
        library, library_problem = open_library(library_folder or self._library_folder(), places.library)
        self.access = LibraryAccess(library)
        self.library = library
        if library_folder is not None:  # chosen on the command line: the next start opens it again
            QSettings().setValue("library/folder", str(self.library.folder))
        self.document = ProjectDocument(library=self.access.resolve, parent=self, library_folder=library.folder)
        self.jobs = JobRunner(self)
        self.transport = Transport(self.document, self.jobs, output_factory=output_factory, parent=self)
        places.projects.mkdir(parents=True, exist_ok=True)
        self.files = ProjectFiles(self.document, self, places.projects / "Untitled.inspiration")
        self.loop_region: tuple[int, int] | None = None

        self.timeline = TimelineView(self.document, self.library, self.jobs, self)
        self.setCentralWidget(self.timeline)
        self.library_panel = LibraryPanel(self.library, self.jobs, self)
        self.lineage_strip = LineageStrip(self.jobs, self.transport, lambda: model_roots(places.models), self)
        self.inspector = ClipInspector(self.document, self)
        self.generate_tab = GenerateTab(
            self.library,
            self.jobs,
            places.models,
            places.config / "curve_presets",
            self.loop_audio,
            self,
            prime_available=lambda: self.loop_region is not None,
        )
        self.generate_tab.panel.prime.set_selection_source(
            self.selection_audio, lambda: self.timeline.time_selection() is not None
        )
        self.document.generate_settings = self.generate_tab.settings
        self.live_panel = LivePanel(
            self.library, self.jobs, self.transport, places.models, self.generate_tab.editor.curve, self
        )
        self.train_panel = TrainPanel(places.models, self, jobs=self.jobs)
        self.library_dock = self._dock("Library", self._library_column(), Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.generate_dock = self._dock("Generate", self.generate_tab, Qt.DockWidgetArea.RightDockWidgetArea)
        self.live_dock = self._dock("Live", self.live_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.inspector_dock, self.generate_dock)
        self.train_dock = self._dock("Train", self.train_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.generate_dock, self.live_dock)
        self.tabifyDockWidget(self.live_dock, self.train_dock)
        self.generate_dock.raise_()
        self.time_display = TimeDisplay(self)
        self.overlay = ShortcutsOverlay(self)
        self._text_keys = TextEntryKeys(self)
        app = QApplication.instance()
        if app is not None:  # always: a window exists only inside an application
            app.installEventFilter(self._text_keys)

        self._make_status_bar()
        self._make_actions()
        self.recent_menu = build_menus(self)
        self._fill_recent_menu()
        build_toolbar(self)
        self._connect()
        self._update_title()
        self._restore_window_state()
        if library_problem:
            self.show_status(library_problem)
        if not self.transport.available:
            self.audio_label.setText("Audio: off")
            self.audio_label.setToolTip(self.transport.unavailable_reason)
            self.audio_notice = show_audio_notice(self, self.transport.unavailable_reason)
            self.library_panel.playback_available = False

    # -- construction ---------------------------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _library_column(self) -> QWidget:
        """The library list with the selected clip's lineage strip under it."""
        column = QWidget(self)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.library_panel, 1)
        layout.addWidget(self.lineage_strip)
        return column

    def _make_status_bar(self) -> None:
        self.job_status = JobStatus(self.jobs)
        self.audio_label = QLabel("Audio: ready")
        self.statusBar().addPermanentWidget(self.job_status)
        self.statusBar().addPermanentWidget(self.audio_label)

    def docks(self) -> list[QDockWidget]:
        return [self.library_dock, self.inspector_dock, self.generate_dock, self.live_dock, self.train_dock]

    def _action(
        self,
        text: str,
        slot,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str = "",
        tip: str = "",
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        a = self._action
        self.act_new = a("&New project", self.files.new, QKeySequence.StandardKey.New, "new")
        self.act_open = a("&Open project…", lambda: self.files.open(), QKeySequence.StandardKey.Open, "open")
        self.act_save = a("&Save", self.files.save, QKeySequence.StandardKey.Save, "save")
        self.act_save_as = a("Save &as…", self.files.save_as, QKeySequence.StandardKey.SaveAs)
        self.act_import = a(
            "&Import audio…",
            self.library_panel.choose_files_to_import,
            "Ctrl+I",
            "import",
            "Copy audio files into the clip library",
        )
        self.act_import_folder = a("Import &folder…", self.library_panel.choose_folder_to_import, "Ctrl+Shift+I")
        self.act_library = a("Open clip &library folder…", self.choose_library)
        self.act_export = a("&Export…", self.export, "Ctrl+E", "export", "Export the mix to WAV, FLAC or MP3")
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        # Undo and redo act on the editor with the focus: the curve (the Generate tab) or the project.
        self.undo_focus = FocusUndo(self.document.undo_stack, self)
        self.undo_focus.add(self.generate_tab.editor.undo_stack, self.generate_tab)
        self.undo_focus.add_project_area(self.timeline)
        self.undo_focus.add_project_area(self.inspector)
        self.act_undo = self.undo_focus.group.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.act_undo.setIcon(icon("undo"))
        self.act_redo = self.undo_focus.group.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(icon("redo"))
        self.act_play = a("&Play / pause", self.toggle_play, "Space", "play", "Play or pause from the playhead")
        self.act_stop = a("&Stop and return", self.stop, None, "stop")
        self.act_stop.setShortcuts([QKeySequence("Return"), QKeySequence("Enter"), QKeySequence("Home")])
        self.act_rewind = a("&Rewind to start", self.rewind, "Ctrl+Home", "rewind")
        self.act_loop = a("&Loop", self.set_loop_enabled, "L", "loop", "Loop the region set by dragging on the ruler")
        self.act_loop.setCheckable(True)
        self._hidden_docks: list[QDockWidget] = []
        self.act_panels = a("Side &panels", self.set_panels_shown, "Ctrl+Alt+B", "", "Show or hide the side panels")
        self.act_panels.setCheckable(True)
        self.act_panels.setChecked(True)
        self.act_follow = a("&Follow playhead", self.timeline.set_follow_playhead)
        self.act_follow.setCheckable(True)
        self.act_follow.setChecked(True)
        self.act_generate = a(
            "&Generate clips",
            self.generate,
            "Ctrl+G",
            "generate",
            "Generate clips with the model and the curve in the Generate panel",
        )
        self.act_live = a(
            "Play &live",
            self.toggle_live,
            "Ctrl+Shift+L",
            "live",
            "Play the model in real time; steer it with the temperature knob",
        )
        self.act_shortcuts = a("&Keyboard shortcuts", self.overlay.toggle, "?", "shortcuts")
        self.act_about = a("&About Inspiration", self.about)
        for action in (self.act_undo, self.act_redo):
            self.addAction(action)
        self.timeline_actions = self.timeline.actions_by_name()
        for name, action in self.timeline_actions.items():
            if name in TimelineView.FOCUS_ACTIONS:
                continue  # arrows and Ctrl+A act on the timeline only while it has focus
            # Window-wide, so S, F or + work wherever the focus is; the library list and text fields take the
            # keys they use (Delete, digits, typing) first.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        for name, icon_name in (
            ("zoom_in", "zoom-in"),
            ("zoom_out", "zoom-out"),
            ("zoom_fit", "zoom-fit"),
            ("add_track", "add-track"),
            ("split", "split"),
        ):
            if name in self.timeline_actions:
                self.timeline_actions[name].setIcon(icon(icon_name))

    def _connect(self) -> None:
        doc = self.document
        doc.modifiedChanged.connect(lambda _: self._update_title())
        doc.pathChanged.connect(lambda _: self._update_title())
        doc.editRefused.connect(self.show_status)
        doc.replaced.connect(self._project_replaced)
        self.files.statusMessage.connect(self.show_status)
        self.files.recentChanged.connect(self._fill_recent_menu)
        self.library_panel.auditionRequested.connect(self.transport.audition)
        self.library_panel.auditionStopRequested.connect(self.transport.stop_audition)
        self.library_panel.statusMessage.connect(self.show_status)
        self.library_panel.selectionChanged.connect(self._library_selection)
        self.lineage_strip.recordChanged.connect(self.library_panel.model.update_record)
        self.lineage_strip.statusMessage.connect(self.show_status)
        self.library_panel.curveRequested.connect(lambda record, seed: self._use_clip_curve(record, seed))
        self.library_panel.variationsRequested.connect(self._generate_variations)
        self.timeline.playheadSeeked.connect(self.seek)
        self.timeline.loopRegionChanged.connect(self._loop_region_changed)
        self.timeline.timeSelectionChanged.connect(lambda _region: self.generate_tab.panel.update_prime_sources())
        self.timeline.filesDropped.connect(self.import_and_place)
        self.timeline.selectionChanged.connect(lambda *_: self.inspector.show_clips(self.timeline.selected_clip_ids()))
        self.generate_tab.panel.statusMessage.connect(self.show_status)
        self.generate_tab.panel.clipGenerated.connect(lambda _id: self.library_panel.refresh())  # listed at once
        self.generate_tab.editor.statusMessage.connect(self.show_status)
        self.generate_tab.editor.curveChangeFinished.connect(lambda _curve: self.live_panel.reload_curve())
        self.live_panel.positionChanged.connect(self.generate_tab.editor.set_position)
        self.live_panel.statusMessage.connect(self.show_status)
        self.train_panel.statusMessage.connect(self.show_status)
        self.train_dock.visibilityChanged.connect(self._train_tab_visibility)
        self.train_panel.modelTrained.connect(self.refresh_models)
        self.train_panel.auditionRequested.connect(self.transport.audition)
        self.train_panel.previewToLibraryRequested.connect(lambda path: self.library_panel.import_paths([path]))
        self.transport.positionChanged.connect(self._position_changed)
        self.transport.stateChanged.connect(self._transport_state)
        self.transport.statusMessage.connect(self.show_status)

    # -- transport ------------------------------------------------------------------------------------------------

    def toggle_play(self) -> None:
        if not self.transport.is_playing():
            self.transport.seek(self.timeline.playhead())
        self.transport.toggle()

    def stop(self) -> None:
        self.transport.stop()
        self._position_changed(self.transport.position())

    def rewind(self) -> None:
        self.seek(0)

    def seek(self, frame: int) -> None:
        self.transport.seek(frame)
        self._position_changed(frame)

    def set_loop_enabled(self, enabled: bool) -> None:
        selection = self.timeline.time_selection()
        if selection is not None and selection != self.loop_region:  # L loops a new time selection
            self.timeline.set_loop_region(selection)
            self.act_loop.setChecked(True)
            enabled = True
        self.timeline.set_loop_enabled(enabled)
        self.transport.set_loop(self.loop_region if enabled else None)
        if enabled and self.loop_region is None:
            self.show_status("Drag on the ruler to set the loop region")

    def loop_audio(self) -> tuple[np.ndarray, int] | None:
        """The mix of the loop region (to prime generation with), or None when no region is set."""
        return self._mix_of(self.loop_region)

    def selection_audio(self) -> tuple[np.ndarray, int] | None:
        """The mix of the timeline's time selection (to prime generation with), or None when there is none."""
        return self._mix_of(self.timeline.time_selection())

    def _mix_of(self, region: tuple[int, int] | None) -> tuple[np.ndarray, int] | None:
        if region is None:
            return None
        start, end = region
        mixer = Mixer(self.document.project, cache=self.transport.cache, library=self.access.resolve)
        return mixer.render_range(start, end), self.document.project.sample_rate

    def _loop_region_changed(self, region: tuple[int, int] | None) -> None:
        self.loop_region = region
        self.generate_tab.panel.update_prime_sources()
        if region is not None and not self.act_loop.isChecked():
            self.act_loop.setChecked(True)
            self.timeline.set_loop_enabled(True)
        self.transport.set_loop(region if self.act_loop.isChecked() else None)

    def _project_replaced(self) -> None:
        """A new or opened project: no loop region from the old one, the playhead at the start."""
        self.timeline.set_loop_region(None)
        self._loop_region_changed(None)
        self.act_loop.setChecked(False)
        self.timeline.set_loop_enabled(False)
        self._position_changed(0)
        self._open_project_library()
        saved = self.document.project.generate
        problems = self.generate_tab.apply_settings(saved) if saved is not None else []
        if problems:
            self.show_status(f"Some of this project's generate settings could not be used: {'; '.join(problems)}")

    def _open_project_library(self) -> None:
        """A project that remembers another clip library (one that is there) brings it back."""
        remembered = self.document.project.library
        if remembered is None or remembered == Path(self.library.folder).absolute():
            return
        if not (remembered / MANIFEST_NAME).is_file():
            self.show_status(f"This project's clip library {remembered} is not there; using {self.library.folder}")
            return
        try:
            self.use_library(ClipLibrary(remembered))
        except InspirationError as exc:
            self.show_status(f"This project's clip library {remembered} cannot be opened ({exc})")

    def _position_changed(self, frame: int) -> None:
        self.timeline.set_playhead(frame)
        self.time_display.set_frames(frame, self.document.project.sample_rate)

    def generate(self) -> None:
        self.generate_dock.raise_()
        self.generate_tab.panel.generate()

    def _use_clip_curve(self, record: ClipRecord, with_seed: bool) -> None:
        self.generate_dock.raise_()
        self.generate_tab.use_clip(record, with_seed)

    def _generate_variations(self, record: ClipRecord) -> None:
        self.generate_dock.raise_()
        self.generate_tab.generate_variations(record)

    def _train_tab_visibility(self, shown: bool) -> None:
        if shown:
            self.train_panel.tab_shown()

    def refresh_models(self, *_: object) -> None:
        """The models changed (a run ended with a checkpoint, the starter model arrived): the pickers look again."""
        self.generate_tab.panel.picker.refresh()
        self.live_panel.picker.refresh()

    def toggle_live(self) -> None:
        self.live_dock.raise_()
        if self.live_panel.is_live():
            self.live_panel.stop()
        else:
            self.live_panel.play()

    def _transport_state(self, state: str) -> None:
        self.act_play.setIcon(icon("pause" if state == PlayState.PLAYING else "play"))
        if state not in (PlayState.AUDITIONING, PlayState.LOADING):  # the badge stays while the clip decodes and plays
            self.library_panel.audition_finished()

    # -- library --------------------------------------------------------------------------------------------------

    def _library_selection(self, clip_ids: list[str]) -> None:
        """One clip selected: trace its lineage under the list; otherwise the strip hides."""
        row = self.library_panel.model.row_of(clip_ids[0]) if len(clip_ids) == 1 else None
        record = self.library_panel.model.record(row) if row is not None else None
        if record is None or self.lineage_strip.showing() != record.id:
            self.lineage_strip.show_clip(self.library, record)

    def import_and_place(self, paths: list[str], track_id: str | None, frame: int) -> Job:
        """Files dropped on the timeline: import them into the library, then place them where they were dropped."""
        job = self.library_panel.import_paths(paths)
        job.succeeded.connect(lambda result: self.timeline.drop_library_clips(list(result.clip_ids), track_id, frame))
        return job

    def choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a clip library folder", str(self.library.folder))
        if not folder:
            return
        if not (Path(folder) / MANIFEST_NAME).is_file():
            answer = QMessageBox.question(
                self,
                "Make a new clip library?",
                f"{folder} is not a clip library yet. Make a new, empty one there?\n\n"
                "(To bring audio files from a folder into the current library, use File ▸ Import folder.)",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            library = ClipLibrary(folder)
        except InspirationError as exc:
            QMessageBox.warning(self, "Cannot open the clip library", str(exc))
            return
        self.use_library(library)

    def use_library(self, library: ClipLibrary) -> None:
        """Switch every panel to `library`; the next start and the project's next save remember it."""
        self.library = library
        self.access.switch(library)
        self.document.library_folder = library.folder
        QSettings().setValue("library/folder", str(library.folder))
        self.library_panel.set_library(library)
        self.lineage_strip.show_clip(library, None)
        self.timeline.set_library(library)
        self.generate_tab.panel.set_library(library)
        self.live_panel.library = library
        self.document.notify()
        offline = len(self.document.project.offline)
        note = f" — {offline} clip(s) of this project are not in it and play silent" if offline else ""
        self.show_status(f"Clip library: {library.folder}{note}")

    def _library_folder(self) -> Path:
        saved = QSettings().value("library/folder", "")
        return Path(saved) if isinstance(saved, str) and saved else self.places.library

    # -- export, help ---------------------------------------------------------------------------------------------

    def export(self) -> None:
        if not self.document.project.length:
            self.show_status("Nothing to export yet: drag clips from the library onto a track first")
            return
        dialog = ExportDialog(
            self.document,
            self.jobs,
            self.transport,
            self.loop_region,
            self.access.resolve,
            self,
            selection=self.timeline.time_selection(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About Inspiration",
            f"<b>Inspiration {__version__}</b><p>An audio editor that is also an instrument: train SampleRNN on your "
            "music, generate clips with an expressive temperature, splice them and export.</p>",
        )

    # -- status, title, state -------------------------------------------------------------------------------------

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS)

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — Inspiration")
        self.setWindowModified(self.document.is_modified)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.files.recent()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.files.open(p))
        self.recent_menu.setEnabled(bool(recent))

    def _restore_window_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.default_layout()
        if state is not None:
            self.restoreState(state)

    def default_layout(self, size: QSize | None = None) -> None:
        """The first-start layout at `size` (default: up to 1440×860 of the screen), the timeline taking most of the
        width (at 1280 px a 260-pixel library and a 300-pixel panel column)."""
        screen = self.screen().availableGeometry()
        size = size or QSize(min(1440, screen.width()), min(860, screen.height()))
        width = size.width()
        self.resize(size)
        wide = width >= 1440
        sizes = [300, 360] if wide else [260, 300]
        self.resizeDocks([self.library_dock, self.generate_dock], sizes, Qt.Orientation.Horizontal)

    def set_panels_shown(self, shown: bool) -> None:
        """Hide every side panel, giving the timeline the whole width, or bring back the ones that were open."""
        if not shown:
            self._hidden_docks = [d for d in self.docks() if d.isVisible()]
        for dock in self._hidden_docks:
            dock.setVisible(shown)
        if shown:
            self._hidden_docks = []

    def start(self) -> None:
        """After the window is shown: offer crash recovery if there is unsaved work, else on the very first start
        open the demo project."""
        self.files.forget_missing_recent()
        QTimer.singleShot(0, self._recover_or_welcome)

    def _recover_or_welcome(self) -> None:
        if self.files.offer_recovery():
            return
        settings = QSettings()
        if settings.value("app/welcomed", False, type=bool):
            return
        try:
            demo = install_demo(self.places.projects, self.places.models)
        except (InspirationError, OSError) as exc:
            self.show_status(f"The demo project could not be set up: {exc}")
            return
        settings.setValue("app/welcomed", True)  # only once it is all there: an interrupted start tries again
        if demo.model is not None:
            self.refresh_models()
        if self.files.open(demo.project):
            listen = "press Space to play it" if self.transport.available else "playback is off (see the notice)"
            self.show_status(
                f"Welcome! This demo project is spliced from clips the starter model made: {listen}. "
                "Generate your own clips with the starter model; ? shows the shortcuts."
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._text_keys)
        self.files.close_cleanly()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        self.live_panel.stop()  # saves a take being recorded
        if not self.train_panel.shutdown():
            log.warning("the training process did not stop in time and was killed")
        self.transport.close()
        if not self.jobs.shutdown(10_000):
            log.warning("some jobs did not stop within 10 s of closing")
        event.accept()
