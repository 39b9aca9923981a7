"""The export dialog: file, format and quality, range, normalisation, noise reduction (with an A/B preview), tags.

The export itself runs `inspiration.engine.composition.export.export_project` in a job over a snapshot of the
project, with a progress bar and Cancel; a cancelled or failed export leaves no file (the engine writes
atomically). The last settings and export folder are remembered in QSettings.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.audio.denoise import DenoiseSettings
from inspiration.engine.audio.formats import FORMATS, format_for_path
from inspiration.engine.composition.export import ExportResult, ExportSettings, export_project
from inspiration.engine.composition.mix import MediaCache
from inspiration.engine.composition.project import LibraryResolver
from inspiration.engine.errors import ExportFormatError
from inspiration.engine.places import user_places
from inspiration.engine.timefmt import format_clock
from inspiration.ui.document import ProjectDocument
from inspiration.ui.jobs import Job, JobRunner, Report, StopCheck
from inspiration.ui.playback.ab_preview import ABPreview
from inspiration.ui.playback.preview import PREVIEW_SECONDS, preview_range, snapshot
from inspiration.ui.playback.transport import Transport
from inspiration.ui.theme import COLORS

BIT_DEPTHS = {"wav": ((16, "16-bit"), (24, "24-bit"), (32, "32-bit float")), "flac": ((16, "16-bit"), (24, "24-bit"))}
MP3_BITRATES = (128, 192, 256, 320)
NORMALIZE = (("none", "None"), ("peak", "Peak −1 dBFS"), ("loudness", "Loudness −14 LUFS (streaming)"))
_KEY = "export/"


def mp3_supported() -> bool:
    """Whether this computer's libsndfile can write MP3."""
    import soundfile as sf

    return "MP3" in sf.available_formats() and "MPEG_LAYER_III" in sf.available_subtypes("MP3")


def default_export_folder(project_file: Path | None) -> Path:
    """Where a first export goes: beside the project when the musician keeps it somewhere of their own, else their
    Music folder — never the app's hidden data folder, where the demo and untitled projects live."""
    if project_file is not None:
        folder = project_file.parent.resolve()
        home = Path.home().resolve()
        hidden = folder.is_relative_to(home) and any(p.startswith(".") for p in folder.relative_to(home).parts)
        if not hidden and not folder.is_relative_to(user_places().data.resolve()):
            return folder
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    return Path(music) if music else Path.home()


class ExportDialog(QDialog):
    """Export the project (or the loop region, or the timeline's time selection) to WAV, FLAC or MP3.
    `start_export(path)` is what Export does."""

    def __init__(
        self,
        document: ProjectDocument,
        jobs: JobRunner,
        transport: Transport | None,
        loop_region: tuple[int, int] | None,
        library: LibraryResolver | None = None,
        parent: QWidget | None = None,
        *,
        selection: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export “{document.display_name()}”")
        self._document = document
        self._jobs = jobs
        self._transport = transport
        self._loop = loop_region
        self._selection = selection
        self._library = library if library is not None else document.library
        self._cache = transport.cache if transport is not None else MediaCache()
        self._job: Job | None = None
        self._result: ExportResult | None = None
        self._settings = QSettings()
        project = document.project
        rate = project.sample_rate

        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        self.format_box = QComboBox()
        for fmt in FORMATS:
            self.format_box.addItem(fmt.upper(), fmt)
        if not mp3_supported():
            item = self.format_box.model()
            assert isinstance(item, QStandardItemModel)
            item.item(2).setEnabled(False)
            self.format_box.setItemData(
                2, "This computer's libsndfile cannot write MP3 (it needs 1.1 or newer)", Qt.ItemDataRole.ToolTipRole
            )
        self.rate_box = QComboBox()
        self.rate_box.addItem(f"{rate} Hz (project)", None)
        for other in (44100, 48000):
            if other != rate:
                self.rate_box.addItem(f"{other} Hz", other)
        self.depth_box = QComboBox()
        self.bitrate_box = QComboBox()
        for kbps in MP3_BITRATES:
            self.bitrate_box.addItem(f"{kbps} kbps", kbps)
        length = project.length
        self.whole = QRadioButton(f"Whole project ({format_clock(length / rate)})")
        self.loop = _range_choice("Loop region", loop_region, rate, "Drag on the ruler to set a loop region")
        self.selection = _range_choice(
            "Selection", selection, rate, "Drag on an empty part of a track to make a time selection"
        )
        self.whole.setChecked(True)
        range_row = QVBoxLayout()  # one choice a line: their spans make them long
        range_row.setSpacing(2)
        range_row.addWidget(self.whole)
        range_row.addWidget(self.loop)
        range_row.addWidget(self.selection)
        self.normalize_box = QComboBox()
        for key, label in NORMALIZE:
            self.normalize_box.addItem(label, key)

        output = QGroupBox("Output")
        self._form = form = QFormLayout(output)
        form.addRow("File", file_row)
        form.addRow("Format", self.format_box)
        form.addRow("Sample rate", self.rate_box)
        form.addRow("Bit depth", self.depth_box)
        form.addRow("Bitrate", self.bitrate_box)
        form.addRow("Range", range_row)
        form.addRow("Normalise", self.normalize_box)

        self.denoise_box = QCheckBox("Reduce steady hiss")
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 100)
        self.strength.setValue(50)
        self.strength.setToolTip("How much hiss to remove (up to 40 dB); side B of the preview uses it too")
        self.strength_label = QLabel()
        self.strength_label.setMinimumWidth(44)
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength, 1)
        strength_row.addWidget(self.strength_label)
        self.preview = ABPreview(document, jobs, transport, self._preview_span, self._strength_value)
        noise = QGroupBox("Noise reduction")
        noise_form = QFormLayout(noise)
        noise_form.addRow(self.denoise_box)
        noise_form.addRow("Strength", strength_row)
        noise_form.addRow("A/B", self.preview)

        self.title_edit = QLineEdit(document.display_name())
        self.artist_edit = QLineEdit()
        tags = QGroupBox("Tags")
        tags_form = QFormLayout(tags)
        tags_form.addRow("Title", self.title_edit)
        tags_form.addRow("Artist", self.artist_edit)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_folder = QPushButton("Show in folder")
        self.show_folder.hide()
        self.show_folder.clicked.connect(self._show_in_folder)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._export_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_folder)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        for widget in (output, noise, tags):
            layout.addWidget(widget)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._inputs: list[QWidget] = [output, noise, tags]

        self._restore()
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.path_edit.textEdited.connect(self._name_typed)
        self.strength.valueChanged.connect(self._strength_changed)
        self._format_changed()
        self._strength_changed()
        self.setMinimumWidth(560)

    # -- public ---------------------------------------------------------------------------------------------------

    def settings(self) -> ExportSettings:
        """The export settings the fields describe."""
        fmt = self.format_box.currentData()
        return ExportSettings(
            format=fmt,
            bit_depth=self.depth_box.currentData() or 24,
            sample_rate=self.rate_box.currentData(),
            mp3_bitrate_kbps=self.bitrate_box.currentData(),
            normalize=self.normalize_box.currentData(),
            denoise=DenoiseSettings.from_strength(self._strength_value()) if self.denoise_box.isChecked() else None,
            title=self.title_edit.text().strip(),
            artist=self.artist_edit.text().strip(),
        )

    def export_range(self) -> tuple[int, int | None]:
        """[start, end) frames to export (end None: the project's end)."""
        if self.loop.isChecked() and self._loop is not None:
            return self._loop
        if self.selection.isChecked() and self._selection is not None:
            return self._selection
        return 0, None

    def _format_index(self, path: Path) -> int:
        """The format box's row for the format the file name asks for; -1 when it names none."""
        named = _named_format(path)
        return -1 if named is None else self.format_box.findData(named)

    def export_path(self, path: str | Path) -> Path:
        """The file an export to `path` writes: a known suffix picks the format (the format box follows); otherwise
        the chosen format's suffix is added."""
        path = Path(path)
        index = self._format_index(path)
        if index >= 0 and self._format_enabled(index):
            self.format_box.setCurrentIndex(index)
            return path
        if index >= 0:  # a format this computer cannot write: keep the chosen one
            return path.with_suffix("." + self.format_box.currentData())
        return path.with_name(path.name + "." + self.format_box.currentData())

    def start_export(self, path: str | Path) -> Job:
        """Export to `path` (see `export_path`) in a job."""
        path = self.export_path(path)
        self.path_edit.setText(str(path))
        settings = self.settings()
        start, end = self.export_range()
        frozen, cache, library = snapshot(self._document.project), self._cache, self._library
        self._save(path)

        def work(report: Report, should_stop: StopCheck) -> ExportResult:
            return export_project(
                frozen, path, settings, start=start, end=end, cache=cache, library=library,
                on_progress=report, should_stop=should_stop,
            )  # fmt: skip

        job = self._jobs.start(f"Exporting {path.name}", work)
        self._job = job
        self._busy(True)
        self._say(f"Exporting {path.name}…", COLORS.text_dim)
        job.progressed.connect(lambda fraction: self.progress.setValue(round(fraction * 1000)))
        job.succeeded.connect(self._exported)
        job.failed.connect(lambda message: self._say(f"Export failed: {message}", COLORS.bad))
        job.cancelled.connect(lambda: self._say("Export cancelled; no file was written.", COLORS.warn))
        job.finished.connect(self._export_finished)
        return job

    def cancel_export(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def export_result(self) -> ExportResult | None:
        """The last successful export, if any."""
        return self._result

    def _format_enabled(self, index: int) -> bool:
        model = self.format_box.model()
        return not isinstance(model, QStandardItemModel) or model.item(index).isEnabled()

    # -- events ---------------------------------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape or Close: cancel a running export first (the dialog stays to show that); otherwise close."""
        if self._job is not None:
            self.cancel_export()
            return
        self.preview.stop()
        super().reject()

    def _export_clicked(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self._say("Choose a file to export to.", COLORS.bad)
            return
        path = self.export_path(Path(text).expanduser())
        if path.exists():
            answer = QMessageBox.question(self, "Replace file?", f"{path.name} already exists. Replace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.preview.stop()
        self.start_export(path)

    def _browse(self) -> None:
        fmt = self.format_box.currentData()
        filters = {"wav": "WAV audio (*.wav)", "flac": "FLAC audio (*.flac)", "mp3": "MP3 audio (*.mp3)"}
        name, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), filters[fmt])
        if name:
            index = self._format_index(Path(name))
            if index >= 0 and index != self.format_box.currentIndex():
                self.format_box.setCurrentIndex(index)
            self.path_edit.setText(str(Path(name).with_suffix("." + self.format_box.currentData())))

    def _format_changed(self) -> None:
        fmt = self.format_box.currentData()
        depth = self.depth_box.currentData() or self._int_setting("bit_depth", 24)
        self.depth_box.clear()
        for bits, label in BIT_DEPTHS.get(fmt, ()):
            self.depth_box.addItem(label, bits)
        self.depth_box.setCurrentIndex(max(0, self.depth_box.findData(depth)))
        self._form.setRowVisible(self.depth_box, fmt != "mp3")
        self._form.setRowVisible(self.bitrate_box, fmt == "mp3")
        text = self.path_edit.text().strip()
        if text and Path(text).suffix.lower() != "." + fmt:
            self.path_edit.setText(str(Path(text).with_suffix("." + fmt)))

    def _name_typed(self, text: str) -> None:
        """The format follows the file name as it is typed: "take.mp3" shows the MP3 settings at once."""
        named = Path(text.strip()).suffix.lower().lstrip(".")
        index = self.format_box.findData({"wave": "wav"}.get(named, named)) if named else -1
        if index >= 0 and index != self.format_box.currentIndex() and self._format_enabled(index):
            self.format_box.setCurrentIndex(index)

    def _strength_changed(self) -> None:
        self.strength_label.setText(f"{self.strength.value()} %")
        self.preview.strength_changed()

    def _strength_value(self) -> float:
        return self.strength.value() / 100

    def _preview_span(self) -> tuple[int, int]:
        """Up to PREVIEW_SECONDS of the chosen range (loop region or selection), else of the loop region, else from
        the playhead."""
        project = self._document.project
        start, end = self.export_range()
        if end is not None:
            return start, min(end, start + round(PREVIEW_SECONDS * project.sample_rate))
        if self._loop is not None:
            start, end = self._loop
            return start, min(end, start + round(PREVIEW_SECONDS * project.sample_rate))
        playhead = self._transport.position() if self._transport is not None else 0
        return preview_range(project.length, project.sample_rate, playhead)

    def _exported(self, result: ExportResult) -> None:
        self._result = result
        peak = f"peak {result.peak_db:.1f} dBFS" if math.isfinite(result.peak_db) else "silent"
        loud = f"{result.loudness_lufs:.1f} LUFS" if math.isfinite(result.loudness_lufs) else "no loudness"
        layout = {1: "mono", 2: "stereo"}.get(result.channels, f"{result.channels} channels")
        length = format_clock(result.frames / result.sample_rate)
        lines = [
            f"Exported {result.path.name}",
            f"{length} · {result.sample_rate} Hz {layout} · {peak} · {loud}",
            *(f"• {note}" for note in result.notes),
        ]
        self._say("\n".join(lines), COLORS.good)
        self.show_folder.show()

    def _export_finished(self) -> None:
        self._job = None
        self._busy(False)

    def _busy(self, busy: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not busy)
        self.export_button.setEnabled(not busy)
        self.close_button.setText("Cancel" if busy else "Close")
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        if busy:
            self.show_folder.hide()

    def _say(self, text: str, color: str) -> None:
        self.message.setStyleSheet(f"color: {color};")
        self.message.setText(text)

    def _show_in_folder(self) -> None:
        if self._result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._result.path.parent)))

    # -- remembered settings --------------------------------------------------------------------------------------

    def _restore(self) -> None:
        s = self._settings
        for box, key in ((self.format_box, "format"), (self.normalize_box, "normalize")):
            index = box.findData(s.value(_KEY + key, box.currentData()))
            if index >= 0 and (box is not self.format_box or self._format_enabled(index)):
                box.setCurrentIndex(index)
        rate = self._int_setting("rate", 0)  # 0: the project's rate
        self.rate_box.setCurrentIndex(max(0, self.rate_box.findData(rate or None)))
        self.bitrate_box.setCurrentIndex(max(0, self.bitrate_box.findData(self._int_setting("mp3_kbps", 320))))
        self.denoise_box.setChecked(s.value(_KEY + "denoise", "false") in (True, "true"))
        self.strength.setValue(min(100, max(0, self._int_setting("strength", 50))))
        self.artist_edit.setText(str(s.value(_KEY + "artist", "")))
        remembered = str(s.value(_KEY + "folder", ""))
        folder = Path(remembered) if remembered else default_export_folder(self._document.path)
        self.path_edit.setText(str(folder / f"{self._document.display_name()}.{self.format_box.currentData()}"))

    def _int_setting(self, key: str, default: int) -> int:
        """A remembered whole number; the default when it is missing or unreadable."""
        try:
            return int(str(self._settings.value(_KEY + key, default)))
        except ValueError:
            return default

    def _save(self, path: Path) -> None:
        s = self._settings
        rate = self.rate_box.currentData()
        values = {
            "folder": str(path.parent),
            "format": self.format_box.currentData(),
            "rate": rate or 0,
            "bit_depth": self.depth_box.currentData() or 24,
            "mp3_kbps": self.bitrate_box.currentData(),
            "normalize": self.normalize_box.currentData(),
            "denoise": self.denoise_box.isChecked(),
            "strength": self.strength.value(),
            "artist": self.artist_edit.text().strip(),
        }
        for key, value in values.items():
            s.setValue(_KEY + key, value)


def _range_choice(label: str, region: tuple[int, int] | None, rate: int, how_to_make: str) -> QRadioButton:
    """A range to export: "Label (start–end)", or greyed out with a tip saying how to make one."""
    button = QRadioButton(label)
    if region is not None:
        button.setText(f"{label} ({format_clock(region[0] / rate)}–{format_clock(region[1] / rate)})")
    else:
        button.setEnabled(False)
        button.setToolTip(how_to_make)
    return button


def _named_format(path: Path) -> str | None:
    """The export format the file name asks for (see `format_for_path`), or None."""
    try:
        return format_for_path(path)
    except ExportFormatError:
        return None
