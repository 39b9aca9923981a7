"""The Generate tab: the temperature curve drawn over the clip length, above the generate controls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.ui.envelope import EnvelopeEditor
from inspiration.ui.instrument.generate_panel import GeneratePanel, PrimeProvider
from inspiration.ui.jobs import JobRunner
from inspiration.ui.theme import COLORS

#: The curve editor's height: enough to draw on, leaving the controls below in view.
EDITOR_HEIGHT = 250


class GenerateTab(QWidget):
    """`editor` (the curve) and `panel` (model, count, seconds, seed, prime, Generate); the editor's time axis
    follows the panel's clip length, and the panel generates with the editor's curve."""

    def __init__(
        self,
        library: ClipLibrary,
        jobs: JobRunner,
        models_folder: Path,
        presets_folder: Path,
        prime_provider: PrimeProvider | None = None,
        parent: QWidget | None = None,
        *,
        prime_available: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.editor = EnvelopeEditor(presets_folder)
        self.editor.setMaximumHeight(EDITOR_HEIGHT)
        self.panel = GeneratePanel(
            library, jobs, models_folder, self.editor.curve, prime_provider, prime_available=prime_available
        )
        self.editor.set_duration(self.panel.seconds())
        self.panel.durationChanged.connect(self.editor.set_duration)
        heading = QLabel("Temperature over the clip")
        heading.setStyleSheet(f"color: {COLORS.text_dim}; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(heading)
        layout.addWidget(self.editor)
        layout.addWidget(self.panel)
        layout.addStretch(1)
