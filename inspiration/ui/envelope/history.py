"""The curve editor's own undo history: each finished change is one QUndoCommand holding the curve before and after.

The editor pushes a command once a gesture, typed value, interpolation or preset choice is done (the change is
already shown, so the first redo does nothing); undo and redo put the stored curve back through `restore`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from inspiration.engine.curves.curve import TemperatureCurve


class CurveEdit(QUndoCommand):
    """One finished change of the drawn curve; `text` names it in the Edit menu ("Undo Move curve point")."""

    def __init__(
        self,
        text: str,
        before: TemperatureCurve,
        after: TemperatureCurve,
        restore: Callable[[TemperatureCurve], None],
    ) -> None:
        super().__init__(text)
        self.before, self.after = before, after
        self._restore = restore
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._restore(self.after)

    def undo(self) -> None:
        self._restore(self.before)
