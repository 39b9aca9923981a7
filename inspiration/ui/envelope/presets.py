"""The presets row: a combo of the built-in curves and the user's saved ones, Save… (an inline name field) and Delete.

The combo shows which preset the current curve is (or "Custom curve" when it is none); choosing one emits
`presetChosen(curve)`. User presets live in `CurvePresetStore` (small synchronous JSON reads and atomic writes).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QToolButton, QWidget

from inspiration.engine.curves.curve import CURVE_PRESETS, TemperatureCurve
from inspiration.engine.curves.presets import CurvePresetStore, PresetNameError, check_name
from inspiration.engine.errors import OutputNotWritableError

CUSTOM = "Custom curve"
BUILTIN = "builtin"
USER = "user"


class _NameEdit(QLineEdit):
    """The inline preset-name field: Enter saves (QLineEdit.returnPressed), Escape cancels."""

    cancelled = Signal()

    def keyPressEvent(self, ev: QKeyEvent) -> None:
        if ev.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            ev.accept()
            return
        super().keyPressEvent(ev)


class PresetBar(QWidget):
    """Signals: `presetChosen(TemperatureCurve)` when the user picks a preset; `statusMessage(str)`."""

    presetChosen = Signal(object)
    statusMessage = Signal(str)

    def __init__(self, presets_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = CurvePresetStore(presets_folder)
        self._user: dict[str, TemperatureCurve] = {}
        self._current = CURVE_PRESETS["constant"]
        self._naming = False
        self.combo = QComboBox()
        self.combo.setToolTip("Temperature presets: the built-in shapes and the ones you saved")
        self.combo.setMinimumContentsLength(8)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.activated.connect(self._activated)
        self.save_button = QToolButton()
        self.save_button.setText("Save…")
        self.save_button.setToolTip("Save this curve as a preset")
        self.save_button.clicked.connect(self.begin_save)
        self.delete_button = QToolButton()
        self.delete_button.setText("Delete")
        self.delete_button.setToolTip("Delete the chosen saved preset (built-in presets stay)")
        self.delete_button.clicked.connect(self.delete_current)
        self.name_edit = _NameEdit()
        self.name_edit.setPlaceholderText("Name, then Enter")
        self.name_edit.setClearButtonEnabled(True)
        self.name_edit.setToolTip("Enter saves the curve under this name; Esc cancels")
        self.name_edit.returnPressed.connect(self._save_typed)
        self.name_edit.cancelled.connect(self.end_save)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.name_edit, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)
        self.name_edit.hide()
        problems = self._load()
        if problems:  # after the owner has connected statusMessage
            QTimer.singleShot(0, self, lambda: self._report(problems))

    def user_presets(self) -> dict[str, TemperatureCurve]:
        return dict(self._user)

    def current_name(self) -> str | None:
        """The chosen preset's name, or None for a custom curve."""
        data = self.combo.currentData()
        return data[1] if data else None

    def refresh(self) -> None:
        """Read the user's presets again (bad files are skipped with a message) and rebuild the combo."""
        self._report(self._load())

    def _report(self, problems: list[str]) -> None:
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.statusMessage.emit(f"Temperature presets: {problems[0]}{more}")

    def _load(self) -> list[str]:
        listing = self.store.load()
        self._user = listing.presets
        self.combo.clear()
        self.combo.addItem(CUSTOM, None)
        model = self.combo.model()
        if isinstance(model, QStandardItemModel):
            model.item(0).setEnabled(False)  # shown, never chosen: it names "none of these"
        for name in CURVE_PRESETS:
            self.combo.addItem(name.capitalize(), (BUILTIN, name))
        if self._user:
            self.combo.insertSeparator(self.combo.count())
        for name in self._user:
            self.combo.addItem(name, (USER, name))
        self.set_current(self._current)
        return listing.problems

    def set_current(self, curve: TemperatureCurve) -> None:
        """Show which preset `curve` is (a saved one first, as its name is the user's), else "Custom curve"."""
        self._current = curve
        index = 0
        for i in range(self.combo.count()):
            data = self.combo.itemData(i)
            if data and self._curve_of(data) == curve:
                index = i
                if data[0] == USER:
                    break
        self.combo.setCurrentIndex(index)
        self._update_buttons()

    def begin_save(self) -> None:
        """Show the name field in place of the combo, suggesting the chosen saved preset's name."""
        data = self.combo.currentData()
        self.name_edit.setText(data[1] if data and data[0] == USER else "")
        self._naming = True
        self.combo.hide()
        self.name_edit.show()
        self.name_edit.setFocus()
        self.save_button.setEnabled(False)
        self.delete_button.setEnabled(False)

    def end_save(self) -> None:
        self._naming = False
        self.name_edit.hide()
        self.combo.show()
        self.save_button.setEnabled(True)
        self._update_buttons()

    def save_as(self, name: str) -> bool:
        """Save the current curve as the user preset `name` (overwriting one of that name); True if it was saved."""
        try:
            clean = check_name(name)
            self.store.save(clean, self._current)
        except (PresetNameError, OutputNotWritableError) as exc:
            self.statusMessage.emit(f"Preset not saved: {exc}")
            return False
        replaced = clean in self._user
        self.refresh()
        self.combo.setCurrentIndex(self._index_of((USER, clean)))
        self._update_buttons()
        self.statusMessage.emit(f"Preset “{clean}” {'updated' if replaced else 'saved'}")
        return True

    def delete_current(self) -> None:
        """Delete the chosen user preset (the curve itself stays as it is)."""
        data = self.combo.currentData()
        if not data or data[0] != USER:
            return
        try:
            self.store.delete(data[1])
        except OutputNotWritableError as exc:
            self.statusMessage.emit(str(exc))
            return
        self.refresh()
        self.statusMessage.emit(f"Preset “{data[1]}” deleted")

    def _save_typed(self) -> None:
        if self.save_as(self.name_edit.text()):
            self.end_save()

    def _activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if not data:
            return
        self.combo.setCurrentIndex(index)  # already so for a click; the chosen name is what the undo step shows
        self._current = self._curve_of(data)
        self._update_buttons()
        self.presetChosen.emit(self._current)

    def _index_of(self, data: tuple[str, str]) -> int:
        """The combo row holding `data` (findData does not compare Python tuples)."""
        return next((i for i in range(self.combo.count()) if self.combo.itemData(i) == data), 0)

    def _curve_of(self, data: tuple[str, str]) -> TemperatureCurve:
        kind, name = data
        return CURVE_PRESETS[name] if kind == BUILTIN else self._user[name]

    def _update_buttons(self) -> None:
        data = self.combo.currentData()
        self.delete_button.setEnabled(bool(data) and data[0] == USER and not self._naming)
