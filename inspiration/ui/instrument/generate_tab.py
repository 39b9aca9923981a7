"""The Generate tab: the temperature curve drawn over the clip length, above the generate controls.

Its settings (the curve, clip length, count, tail cut, top levels, seed, weights and model) are what a project saves
with it (`settings`, `apply_settings`); the curve is also remembered in QSettings after every finished change, so the
next start shows the last one drawn (the panel remembers its own fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from inspiration.engine.curves.curve import TemperatureCurve
from inspiration.engine.errors import InvalidCurveError, LimitError
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.clip_record import ClipRecord
from inspiration.engine.model.truncation import checked_top_k
from inspiration.ui.envelope import EnvelopeEditor
from inspiration.ui.instrument.generate_panel import GeneratePanel, PrimeProvider
from inspiration.ui.instrument.generate_seed import MAX_SEED
from inspiration.ui.jobs import JobRunner
from inspiration.ui.theme import COLORS

#: Where the last curve drawn is remembered (its `to_dict` form as JSON).
CURVE_KEY = "generate/curve"
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
        remembered = _remembered_curve()
        if remembered is not None:
            self.editor.load_curve(remembered)
        self.editor.curveChangeFinished.connect(_remember_curve)
        heading = QLabel("Temperature over the clip")
        heading.setStyleSheet(f"color: {COLORS.text_dim}; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(heading)
        layout.addWidget(self.editor)
        layout.addWidget(self.panel)
        layout.addStretch(1)

    def settings(self) -> dict[str, Any]:
        """The tab's settings as a JSON object (what a project keeps in its "generate" field)."""
        panel = self.panel
        data: dict[str, Any] = {
            "curve": self.editor.curve().to_dict(),
            "seconds": panel.seconds(),
            "count": panel.count_box.value(),
            "min_p": panel.min_p(),
            "top_k": panel.top_k(),
            "seed": panel.seed.seed(),
            "checkpoint": panel.checkpoint_box.currentData(),
        }
        model = panel.picker.current()
        if model is not None:
            data["model"] = str(model.path)
        return data

    def apply_settings(self, data: Mapping[str, Any]) -> list[str]:
        """Show saved settings (a fresh curve history); returns what could not be used, each in a few words. Keys
        that are missing keep the current value."""
        panel, problems = self.panel, []
        seconds = data.get("seconds")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
            panel.seconds_box.setValue(float(seconds))
        elif seconds is not None:
            problems.append(f"clip length {seconds!r}")
        count = data.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            panel.count_box.setValue(count)
        elif count is not None:
            problems.append(f"clip count {count!r}")
        min_p = data.get("min_p")
        if isinstance(min_p, (int, float)) and not isinstance(min_p, bool) and 0 <= min_p < 1:
            panel.set_min_p(float(min_p))
        elif min_p is not None:
            problems.append(f"tail cut {min_p!r}")
        top_k = data.get("top_k", 0 if "min_p" in data else None)  # saved before top levels: made with all of them
        if top_k is not None:
            try:
                panel.set_top_k(checked_top_k(top_k))
            except LimitError:
                problems.append(f"top levels {top_k!r}")
        if "seed" in data:
            seed = data["seed"]
            if seed is None or (isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_SEED):
                panel.seed.set_fixed(seed)
            else:
                problems.append(f"seed {seed!r}")
        index = panel.checkpoint_box.findData(data.get("checkpoint"))
        if index >= 0:
            panel.checkpoint_box.setCurrentIndex(index)
        model = data.get("model")
        if isinstance(model, str) and model:
            panel.picker.select(model)
        if "curve" in data:
            try:
                self.editor.load_curve(TemperatureCurve.from_dict(data["curve"]))
            except (InvalidCurveError, TypeError, ValueError, AttributeError) as exc:
                problems.append(f"curve ({exc})")
        return problems

    def use_clip(self, record: ClipRecord, with_seed: bool = False) -> bool:
        """Load the curve a library clip was made with (one undo step); `with_seed` also fixes its seed and takes its
        length, tail cut, top levels and model, so Generate makes that clip again. False (and a message) when the
        clip has no curve."""
        try:
            curve = record.temperature_curve()
        except InvalidCurveError as exc:
            curve, problem = None, f"its curve cannot be read ({exc})"
        else:
            problem = "it was not generated, so it has no curve"
        if curve is None:
            self.panel.statusMessage.emit(f"Cannot use the curve of {record.name}: {problem}")
            return False
        if with_seed:
            self._take_length_and_model(record)
            self.panel.seed.set_fixed(record.seed)
        self.editor.apply_curve(curve, f"Use curve of {record.name}")
        seed = f" and seed {record.seed}" if with_seed else ""
        self.panel.statusMessage.emit(f"Curve{seed} of {record.name} loaded: Ctrl+Z in the curve puts yours back")
        return True

    def generate_variations(self, record: ClipRecord) -> bool:
        """Generate more clips like `record`: its curve, length, tail cut, top levels and model with new random
        seeds."""
        if not self.use_clip(record):
            return False
        self._take_length_and_model(record)
        self.panel.seed.set_fixed(None)
        self.panel.generate()
        return True

    def _take_length_and_model(self, record: ClipRecord) -> None:
        self.panel.seconds_box.setValue(record.duration)
        if record.min_p is not None:
            self.panel.set_min_p(record.min_p)
        if record.top_k is not None:
            self.panel.set_top_k(record.top_k)
        for model in self.panel.picker.models():
            if model.name == record.model:
                self.panel.picker.select(model.path)
                break


def _remember_curve(curve: TemperatureCurve) -> None:
    QSettings().setValue(CURVE_KEY, json.dumps(curve.to_dict()))


def _remembered_curve() -> TemperatureCurve | None:
    """The curve drawn last time, or None (nothing remembered, or a damaged value)."""
    text = QSettings().value(CURVE_KEY, "")
    if not isinstance(text, str) or not text:
        return None
    try:
        return TemperatureCurve.from_dict(json.loads(text))
    except (InvalidCurveError, TypeError, ValueError, AttributeError):
        return None
