"""The notice shown when there is no audio output: why, how to fix it on this system, and a Dismiss button.

It stays under the toolbar until dismissed (a status-bar message would be gone in seconds, and a musician who
presses Space and hears nothing must be able to read why).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QSizePolicy, QToolBar, QWidget

from inspiration.ui.theme import COLORS


def audio_fix(reason: str, platform: str | None = None) -> str:
    """How to get sound back, for the reason the output could not open, on `platform` (default: this one)."""
    platform = platform or sys.platform
    if "PortAudio" in reason:
        if platform.startswith("linux"):
            return (
                "install PortAudio — Debian/Ubuntu: sudo apt-get install libportaudio2; Fedora: sudo dnf install "
                "portaudio — then restart Inspiration."
            )
        return "reinstall Inspiration (its sounddevice package brings PortAudio), then restart it."
    if "sounddevice" in reason:
        return "reinstall Inspiration, or install its sound package: pip install sounddevice; then restart it."
    if platform.startswith("linux"):
        return (
            "plug in headphones or speakers, check that the sound server runs (pactl info) and that an output is "
            "not muted or disabled in the sound settings, then restart Inspiration."
        )
    if platform == "darwin":
        return "choose an output in System Settings ▸ Sound ▸ Output, then restart Inspiration."
    if platform.startswith("win"):
        return (
            "turn on an output in Settings ▸ System ▸ Sound (and check its driver in Device Manager), then restart "
            "Inspiration."
        )
    return "connect and enable an audio output, then restart Inspiration."


def audio_notice_text(reason: str, platform: str | None = None) -> str:
    return (
        f"<b>No audio output</b>: {reason}. Playback is off; editing, generating and export still work. "
        f"To fix it, {audio_fix(reason, platform)}"
    )


class AudioNotice(QWidget):
    """The message and a Dismiss button; `dismissed()` when the musician has read it."""

    dismissed = Signal()

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(audio_notice_text(reason))
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # to copy the command
        self.label.setStyleSheet(f"color: {COLORS.text};")
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self.dismissed)
        layout = self._layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss_button)
        self.setStyleSheet(f"AudioNotice {{ background: {COLORS.offline}; }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """As tall as the wrapped text needs at this width, no taller (a toolbar would give it a guess)."""
        super().resizeEvent(event)
        margins = self._layout.contentsMargins()
        height = self.label.heightForWidth(self.label.width()) + margins.top() + margins.bottom()
        if height > 0 and height != self.height():
            self.setFixedHeight(max(height, self.dismiss_button.sizeHint().height() + 8))


def show_audio_notice(window: QMainWindow, reason: str) -> QToolBar:
    """Put the notice in its own bar under the toolbar; Dismiss removes it for this session."""
    window.addToolBarBreak()
    bar = QToolBar("No audio output", window)
    bar.setObjectName("toolbar-audio-notice")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setVisible(False)
    notice = AudioNotice(reason, bar)
    bar.addWidget(notice)
    window.addToolBar(bar)
    notice.dismissed.connect(bar.hide)
    return bar
