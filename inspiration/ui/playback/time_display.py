"""The transport's clock readout: a big monospace "0:01:23.456" in the accent colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QWidget

from inspiration.engine.timefmt import format_clock
from inspiration.ui.theme import COLORS


class TimeDisplay(QLabel):
    """Shows a playhead position; `set_frames(frames, sample_rate)` updates it (cheap enough to call at 30 Hz)."""

    def __init__(self, parent: QWidget | None = None, point_size: int = 16) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(point_size)
        font.setWeight(QFont.Weight.DemiBold)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            f"QLabel {{ color: {COLORS.accent}; background: {COLORS.base}; border: 1px solid {COLORS.border};"
            " border-radius: 4px; padding: 2px 10px; }"
        )
        self.setToolTip("Playhead position (hours:minutes:seconds.milliseconds)")
        self._frames = -1
        self._rate = 0
        self.set_frames(0, 48000)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0:00:00.000") + 26)

    def set_frames(self, frames: int, sample_rate: int) -> None:
        if frames == self._frames and sample_rate == self._rate:
            return
        self._frames, self._rate = frames, sample_rate
        self.setText(format_clock(frames / sample_rate, always_hours=True))

    def frames(self) -> int:
        return self._frames
