"""The generate panel's top-levels box: the top-k each clip is made with, "all" (0, no cut) or 2 to
TOP_LEVELS_MAXIMUM. A single level is never offered: it would leave only the likeliest value, which loops or goes
silent."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

from inspiration.ui.instrument.live_knob import TOP_LEVELS_HELP, TOP_LEVELS_MAXIMUM

#: What the box shows for 0 (no cut), as the live knob does.
ALL_LEVELS = "all"


class TopLevelsBox(QSpinBox):
    """A spin box over 0 ("all") and 2..TOP_LEVELS_MAXIMUM: stepping skips 1, a typed 1 becomes 2."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, TOP_LEVELS_MAXIMUM)
        self.setSpecialValueText(ALL_LEVELS)
        self.setToolTip(TOP_LEVELS_HELP + " 2 is the fewest.")

    def top_k(self) -> int:
        """The value as a top-k (0: no cut)."""
        value = self.value()
        return value if value != 1 else 2

    def set_top_k(self, value: int) -> None:
        """Show a top-k (1 as 2; within the box's range)."""
        self.setValue(2 if value == 1 else value)

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        if self.value() + steps == 1:
            steps += 1 if steps > 0 else -1
        super().stepBy(steps)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Acceptable and self.valueFromText(text) == 1:
            state = QValidator.State.Intermediate  # perhaps the start of 16; on leaving the box, fixup makes it 2
        return state, text, pos

    def fixup(self, text: str) -> str:
        return "2" if text.strip() == "1" else text
