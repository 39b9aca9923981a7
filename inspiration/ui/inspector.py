"""The inspector: the selected timeline clip's settings and its track's, or the project's when no clip is selected.

Every edit goes through `ProjectDocument.apply` when a field's editing finishes (Enter, leaving the field, an arrow
step, a toggle), one undo step each; the fields follow `document.changed` (undo and redo included) with their signals
blocked, so showing a value never edits the project.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.composition.edits import Command, MoveClip, SetClipGain, SetFades, SetMasterGain, SetTrack
from inspiration.engine.composition.project import FADE_SHAPES, Clip, Fade, Track, to_frames, to_seconds
from inspiration.engine.timefmt import format_clock
from inspiration.ui.document import ProjectDocument
from inspiration.ui.theme import COLORS

GAIN_RANGE = (-60.0, 24.0)
SHAPE_NAMES = {
    "linear": "Linear",
    "equal_power": "Equal power",
    "exponential": "Exponential",
    "logarithmic": "Logarithmic",
    "s_curve": "S-curve",
}


class PanSpinBox(QSpinBox):
    """Pan from L100 through C to R100 (the value is -100..100; the project stores -1..1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, minimum=-100, maximum=100, singleStep=5)
        _stepper(self)

    def textFromValue(self, value: int) -> str:
        return "C" if value == 0 else f"{'L' if value < 0 else 'R'}{abs(value)}"

    def valueFromText(self, text: str) -> int:
        text = text.strip().upper()
        if text in ("", "C"):
            return 0
        sign = -1 if text.startswith("L") or text.startswith("-") else 1
        digits = "".join(c for c in text if c.isdigit())
        return sign * min(100, int(digits)) if digits else 0

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        ok = re.fullmatch(r"\s*([LRC]|-)?\d{0,3}\s*", text.upper()) is not None
        return (QValidator.State.Acceptable if ok else QValidator.State.Invalid), text, pos


def _spin(low: float, high: float, decimals: int, step: float, suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(minimum=low, maximum=high, decimals=decimals, singleStep=step, suffix=suffix)
    _stepper(spin)
    return spin


def _stepper(spin: QAbstractSpinBox) -> None:
    """valueChanged only once typing is finished (Enter, leaving the field) or on a step (arrows, wheel)."""
    spin.setKeyboardTracking(False)
    spin.setToolTip("Type a value and press Enter, or scroll / use ↑ ↓ to adjust")


class ClipInspector(QWidget):
    """Shows one clip (and its track) from `show_clips`, or the project when none or several are selected."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._clip_ids: list[str] = []
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._make_clip_page())
        self._stack.addWidget(self._make_project_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._stack)
        document.changed.connect(self._sync)
        self._sync()

    # -- pages ----------------------------------------------------------------------------------------------------

    def _make_clip_page(self) -> QWidget:
        page = QWidget(self)
        clip_box = QGroupBox("Clip", page)
        self.clip_name = QLabel(clip_box, wordWrap=True)
        self.clip_name.setStyleSheet(f"font-weight: bold; color: {COLORS.text};")
        self.clip_source = QLabel(
            clip_box, wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.clip_source.setStyleSheet(f"color: {COLORS.text_dim};")
        self.offline = QLabel(clip_box, wordWrap=True)
        self.offline.setStyleSheet(f"color: {COLORS.warn};")
        self.position = _spin(0.0, 24 * 3600.0, 3, 0.1, " s")
        self.length = QLabel(clip_box)
        self.length.setToolTip("Drag the clip's edges on the timeline to trim it")
        self.clip_gain = _spin(*GAIN_RANGE, 1, 0.5, " dB")
        self.fade_in, self.fade_in_shape = _spin(0.0, 0.0, 3, 0.05, " s"), self._shape_combo()
        self.fade_out, self.fade_out_shape = _spin(0.0, 0.0, 3, 0.05, " s"), self._shape_combo()
        form = QFormLayout(clip_box)
        form.addRow(self.clip_name)
        form.addRow(self.clip_source)
        form.addRow(self.offline)
        form.addRow("Position", self.position)
        form.addRow("Length", self.length)
        form.addRow("Gain", self.clip_gain)
        form.addRow("Fade in", _pair(self.fade_in, self.fade_in_shape))
        form.addRow("Fade out", _pair(self.fade_out, self.fade_out_shape))

        track_box = QGroupBox("Track", page)
        self.track_name = QLineEdit(track_box)
        self.track_gain = _spin(*GAIN_RANGE, 1, 0.5, " dB")
        self.track_pan = PanSpinBox(track_box)
        self.mute = self._toggle("M", "Mute this track", COLORS.mute)
        self.solo = self._toggle("S", "Solo this track (only soloed tracks play)", COLORS.solo)
        form = QFormLayout(track_box)
        form.addRow("Name", self.track_name)
        form.addRow("Gain", self.track_gain)
        form.addRow("Pan", _pair(self.track_pan, self.mute, self.solo))

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(clip_box)
        layout.addWidget(track_box)
        layout.addStretch(1)

        self.position.valueChanged.connect(lambda v: self._clip_edit(lambda c: self._move(c, v)))
        self.clip_gain.valueChanged.connect(lambda v: self._clip_edit(lambda c: self._gain(c, v)))
        for widget in (self.fade_in, self.fade_in_shape, self.fade_out, self.fade_out_shape):
            signal = widget.valueChanged if isinstance(widget, QDoubleSpinBox) else widget.currentIndexChanged
            signal.connect(lambda _=None: self._clip_edit(self._fades))
        self.track_name.editingFinished.connect(lambda: self._track_edit(self._name))
        self.track_gain.valueChanged.connect(lambda v: self._track_edit(lambda t: self._track_gain(t, v)))
        self.track_pan.valueChanged.connect(lambda v: self._track_edit(lambda t: self._pan(t, v)))
        self.mute.clicked.connect(lambda on: self._track_edit(lambda t: SetTrack(t.id, mute=on, text="Mute track")))
        self.solo.clicked.connect(lambda on: self._track_edit(lambda t: SetTrack(t.id, solo=on, text="Solo track")))
        return page

    def _make_project_page(self) -> QWidget:
        page = QWidget(self)
        self.selection_note = QLabel(page, wordWrap=True)
        self.selection_note.setStyleSheet(f"color: {COLORS.text_dim};")
        box = QGroupBox("Project", page)
        self.project_rate, self.project_channels, self.project_length = QLabel(box), QLabel(box), QLabel(box)
        self.project_contents = QLabel(box)
        self.master_gain = _spin(*GAIN_RANGE, 1, 0.5, " dB")
        form = QFormLayout(box)
        form.addRow("Sample rate", self.project_rate)
        form.addRow("Channels", self.project_channels)
        form.addRow("Length", self.project_length)
        form.addRow("Contents", self.project_contents)
        form.addRow("Master gain", self.master_gain)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.selection_note)
        layout.addWidget(box)
        layout.addStretch(1)
        self.master_gain.valueChanged.connect(self._master_gain)
        return page

    def _shape_combo(self) -> QComboBox:
        combo = QComboBox(self)
        combo.setToolTip("The fade's curve")
        for shape in FADE_SHAPES:
            combo.addItem(SHAPE_NAMES.get(shape, shape), shape)
        return combo

    def _toggle(self, text: str, tip: str, color: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setFixedWidth(28)
        button.setStyleSheet(
            f"QToolButton {{ border: 1px solid {COLORS.border}; border-radius: 3px; font-weight: bold; }}"
            f"QToolButton:checked {{ background: {color}; color: {COLORS.window}; border-color: {color}; }}"
        )
        return button

    # -- showing --------------------------------------------------------------------------------------------------

    def show_clips(self, clip_ids: list[str]) -> None:
        """Show these timeline clips: one clip's settings, or the project for none or several."""
        self._clip_ids = list(clip_ids)
        self._sync()

    def current_clip(self) -> tuple[Track, Clip] | None:
        """The clip being shown and its track (None when the project is shown)."""
        present = [i for i in self._clip_ids if any(c.id == i for _, c in self.document.project.clips())]
        return self.document.project.locate(present[0]) if len(present) == 1 else None

    def _sync(self) -> None:
        shown = self.current_clip()
        if shown is None:
            self._show_project()
            self._stack.setCurrentIndex(1)
        else:
            self._show_clip(*shown)
            self._stack.setCurrentIndex(0)

    def _show_clip(self, track: Track, clip: Clip) -> None:
        rate = self.document.project.sample_rate
        source = clip.source
        self.clip_name.setText(clip.name or source.path.rsplit("/", 1)[-1] or source.library_id or "")
        origin = f"Library clip {source.library_id}" if source.library_id else "File"
        self.clip_source.setText(f"{origin}\n{source.path}" if source.path else origin)
        reason = self.document.project.offline.get(clip.id)
        self.offline.setText(f"⚠ Offline: {reason}" if reason else "")
        self.offline.setVisible(bool(reason))
        length = to_seconds(clip.length, rate)
        self.length.setText(f"{length:.3f} s  (ends at {format_clock(to_seconds(clip.end, rate))})")
        for spin, fade, combo in (
            (self.fade_in, clip.fade_in, self.fade_in_shape),
            (self.fade_out, clip.fade_out, self.fade_out_shape),
        ):
            with QSignalBlocker(spin), QSignalBlocker(combo):
                spin.setMaximum(length)
                spin.setValue(to_seconds(fade.frames, rate))
                combo.setCurrentIndex(max(0, combo.findData(fade.shape)))
        _set(self.position, to_seconds(clip.start, rate))
        _set(self.clip_gain, clip.gain_db)
        with QSignalBlocker(self.track_name):
            self.track_name.setText(track.name)
        _set(self.track_gain, track.gain_db)
        with QSignalBlocker(self.track_pan):
            self.track_pan.setValue(round(track.pan * 100))
        for button, on in ((self.mute, track.mute), (self.solo, track.solo)):
            with QSignalBlocker(button):
                button.setChecked(on)

    def _show_project(self) -> None:
        project = self.document.project
        count = len(self._clip_ids)
        self.selection_note.setText(f"{count} clips selected: select one to edit it." if count > 1 else "")
        self.selection_note.setVisible(count > 1)
        self.project_rate.setText(f"{project.sample_rate} Hz")
        self.project_channels.setText("Stereo" if project.channels == 2 else "Mono")
        self.project_length.setText(format_clock(to_seconds(project.length, project.sample_rate)))
        clips = sum(len(t.clips) for t in project.tracks)
        self.project_contents.setText(f"{_count(len(project.tracks), 'track')}, {_count(clips, 'clip')}")
        _set(self.master_gain, project.master_gain_db)

    # -- editing --------------------------------------------------------------------------------------------------

    def _apply(self, command: Command | None) -> None:
        if command is not None and not self.document.apply(command):
            self._sync()  # refused: show the project's value again

    def _clip_edit(self, make: Callable[[Clip], Command | None]) -> None:
        shown = self.current_clip()
        if shown is not None:
            self._apply(make(shown[1]))

    def _track_edit(self, make: Callable[[Track], Command | None]) -> None:
        shown = self.current_clip()
        if shown is not None:
            self._apply(make(shown[0]))

    def _frames(self, seconds: float) -> int:
        return to_frames(seconds, self.document.project.sample_rate)

    def _move(self, clip: Clip, seconds: float) -> Command | None:
        start = self._frames(seconds)
        return MoveClip(clip.id, start) if start != clip.start else None

    @staticmethod
    def _gain(clip: Clip, gain_db: float) -> Command | None:
        return SetClipGain(clip.id, gain_db) if abs(gain_db - clip.gain_db) > 1e-9 else None

    def _fades(self, clip: Clip) -> Command | None:
        fade_in = Fade(self._frames(self.fade_in.value()), self.fade_in_shape.currentData())
        fade_out = Fade(self._frames(self.fade_out.value()), self.fade_out_shape.currentData())
        if (fade_in, fade_out) == (clip.fade_in, clip.fade_out):
            return None
        return SetFades(clip.id, fade_in=fade_in, fade_out=fade_out)

    def _name(self, track: Track) -> Command | None:
        name = self.track_name.text().strip()
        if not name or name == track.name:
            with QSignalBlocker(self.track_name):
                self.track_name.setText(track.name)
            return None
        return SetTrack(track.id, name=name, text="Rename track")

    @staticmethod
    def _track_gain(track: Track, gain_db: float) -> Command | None:
        return (
            SetTrack(track.id, gain_db=gain_db, text="Change track gain")
            if abs(gain_db - track.gain_db) > 1e-9
            else None
        )

    @staticmethod
    def _pan(track: Track, value: int) -> Command | None:
        pan = value / 100
        return SetTrack(track.id, pan=pan, text="Change pan") if abs(pan - track.pan) > 1e-9 else None

    def _master_gain(self, gain_db: float) -> None:
        if abs(gain_db - self.document.project.master_gain_db) > 1e-9:
            self._apply(SetMasterGain(gain_db))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _set(spin: QDoubleSpinBox, value: float) -> None:
    with QSignalBlocker(spin):
        spin.setValue(value)


def _pair(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, (QDoubleSpinBox, QSpinBox)) else 0)
    return box
