"""The training curves: training and validation bits/sample against steps, or against training time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from inspiration.engine.training.log import LogSeries
from inspiration.ui.theme import COLORS

_TIME_UNITS = ((7200.0, 3600.0, "hours"), (120.0, 60.0, "minutes"), (0.0, 1.0, "seconds"))


class TrainPlot(QWidget):
    """Feed it log rows with `add_records` (or `set_records` to start over). Signal: `timeAxisChanged(bool)`."""

    timeAxisChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series = LogSeries()
        self.plot = pg.PlotWidget(background=COLORS.base)
        self.plot.setMinimumHeight(180)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.25)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(COLORS.border))
            axis.setTextPen(pg.mkPen(COLORS.text_dim))
            axis.enableAutoSIPrefix(False)  # "training seconds", never "(x0.001)"
        item.setLabel("left", "bits / sample", color=COLORS.text_dim)
        self.train_curve = item.plot(
            pen=pg.mkPen(COLORS.waveform, width=2), symbolSize=5, symbolBrush=COLORS.waveform, symbolPen=None
        )
        self.val_curve = item.plot(
            pen=pg.mkPen(COLORS.accent, width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush=COLORS.accent,
            symbolPen=None,
        )
        self.empty_label = pg.TextItem("No training yet", color=COLORS.text_dim, anchor=(0.5, 0.5))
        self.empty_label.setPos(0.5, 0.5)
        item.addItem(self.empty_label)

        self.time_toggle = QCheckBox("Training time")
        self.time_toggle.setToolTip("Plot against training time instead of steps")
        self.time_toggle.toggled.connect(self._time_toggled)
        legend = QLabel(
            f"<span style='color:{COLORS.waveform}'>━</span> training&nbsp;&nbsp;"
            f"<span style='color:{COLORS.accent}'>●</span> validation"
        )
        legend.setStyleSheet(f"color: {COLORS.text_dim};")
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(legend)
        header.addStretch(1)
        header.addWidget(self.time_toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        self._redraw()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name; pyqtgraph's 600×500 would crowd out the panel
        return QSize(320, 220)

    def time_axis(self) -> bool:
        return self.time_toggle.isChecked()

    def set_time_axis(self, on: bool) -> None:
        self.time_toggle.setChecked(on)

    def clear(self) -> None:
        self.set_records([])

    def set_records(self, records: list[dict[str, Any]]) -> None:
        """Show exactly these log rows."""
        self.series = LogSeries()
        self.add_records(records)
        if not records:
            self._redraw()

    def add_records(self, records: list[dict[str, Any]]) -> None:
        """Add new log rows to the curves."""
        if records:
            self.series.add(records)
            self._redraw()

    def _time_toggled(self, on: bool) -> None:
        self._redraw()
        self.plot.getPlotItem().enableAutoRange()
        self.timeAxisChanged.emit(on)

    def _redraw(self) -> None:
        series = self.series
        scale, unit = 1.0, "step"
        if self.time_axis():
            longest = max((p[1] for p in series.train + series.val), default=0.0)
            _, scale, unit = next(u for u in _TIME_UNITS if longest >= u[0])
        column = 1 if self.time_axis() else 0
        for curve, points in ((self.train_curve, series.train), (self.val_curve, series.val)):
            data = np.asarray(points, dtype=float).reshape(-1, 3)
            x = data[:, column] / scale if column else data[:, 0]
            curve.setData(x, data[:, 2])
        few = len(series.train) < 40  # dots while the training curve is short (one row is no line yet)
        self.train_curve.setSymbol("o" if few else None)
        self.plot.getPlotItem().setLabel(
            "bottom", f"training {unit}" if unit != "step" else "step", color=COLORS.text_dim
        )
        empty = not (series.train or series.val)
        self.empty_label.setVisible(empty)
        if empty:
            self.plot.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        else:
            self.plot.getPlotItem().enableAutoRange()
