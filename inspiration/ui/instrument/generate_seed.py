"""The seed chooser of the generate panel: new random seeds every time, or a fixed first seed.

Clip i of a run gets seed first + i; the same model, seed, curve and length give the same clip, so a fixed seed
lets a musician change only the curve and hear what it does.
"""

from __future__ import annotations

import secrets

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSpinBox, QToolButton, QWidget

from inspiration.ui.icons import icon
from inspiration.ui.instrument.generate_settings import read_bool, read_number, write

MAX_SEED = 2**31 - 1


class SeedChooser(QWidget):
    """A "Fixed" check box, the seed and a dice button. `seed()` is the first seed to use, None for random.
    Signal `changed()` after any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fixed_box = QCheckBox("Fixed")
        self.fixed_box.setToolTip(
            "Off: new random seeds every time (the last run's first seed is shown).\n"
            "On: the same seeds every time, so the same settings give the same clips."
        )
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, MAX_SEED)
        self.seed_box.setToolTip("The first clip's seed; the next clips get the following numbers")
        self.dice_button = QToolButton()
        self.dice_button.setIcon(icon("dice"))
        self.dice_button.setIconSize(QSize(16, 16))
        self.dice_button.setToolTip("Roll a new fixed seed")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.fixed_box)
        layout.addWidget(self.seed_box, 1)
        layout.addWidget(self.dice_button)
        self.seed_box.setValue(read_number("seed", secrets.randbelow(MAX_SEED + 1)))
        self.fixed_box.setChecked(read_bool("seedFixed", False))
        self._enable()
        self.fixed_box.toggled.connect(self._edited)
        self.seed_box.valueChanged.connect(self._edited)
        self.dice_button.clicked.connect(self.roll)

    def seed(self) -> int | None:
        """The first seed of the next run: the fixed one, or None for a random one."""
        return self.seed_box.value() if self.fixed_box.isChecked() else None

    def set_fixed(self, seed: int | None) -> None:
        """Fix the first seed (None: random seeds again)."""
        if seed is not None:
            self.seed_box.setValue(seed)
        self.fixed_box.setChecked(seed is not None)

    def roll(self) -> None:
        """A new random fixed seed (the dice button)."""
        self.set_fixed(secrets.randbelow(MAX_SEED + 1))

    def show_used(self, first_seed: int) -> None:
        """Show the first seed a random run used, so ticking Fixed repeats that run."""
        if not self.fixed_box.isChecked():
            self.seed_box.setValue(first_seed)

    def _enable(self) -> None:
        self.seed_box.setEnabled(self.fixed_box.isChecked())

    def _edited(self, *_: object) -> None:
        self._enable()
        write(seed=self.seed_box.value(), seedFixed=self.fixed_box.isChecked())
        self.changed.emit()
