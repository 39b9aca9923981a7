"""How one library clip is drawn in the list (about 60 px high) and where its stars and badges are, for clicks and
tooltips.

    ┌────────┐ name-of-the-clip                ★★★☆☆
    │ ~~~~~~ │ 12.5 s  [loop] [noise]    T 0.9–1.1 ⟋
    └────────┘
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QToolTip

from inspiration.engine.library.clip_record import ClipRecord
from inspiration.engine.timefmt import format_length
from inspiration.ui.library.model import PLAYING_ROLE, RECORD_ROLE, Index
from inspiration.ui.library.paint import (
    FLAG_COLORS,
    STAR_SIZE,
    badge_width,
    draw_badge,
    draw_missing,
    draw_sparkline,
    draw_stars,
    draw_waveform,
    flag_help,
    small_font,
)
from inspiration.ui.library.query import clip_name
from inspiration.ui.theme import COLORS, qcolor

ROW_HEIGHT = 60
PAD = 6
THUMB_WIDTH = 76
SPARK_WIDTH = 44
SPARK_AREA = 108  # the sparkline and its "T 0.9–1.25" label
WIDE_ROW = 320  # rows at least this wide show the label
DISCARDED_OPACITY = 0.45


@dataclass(frozen=True)
class RowLayout:
    """The parts of one row, in view coordinates."""

    thumb: QRect
    name: QRect
    stars: QRect
    details: QRect  # duration and badges
    spark: QRect  # sparkline and its label


def row_layout(rect: QRect) -> RowLayout:
    thumb = QRect(rect.left() + PAD, rect.top() + PAD, THUMB_WIDTH, rect.height() - 2 * PAD)
    left = thumb.right() + 9
    stars = QRect(rect.right() - PAD - 5 * STAR_SIZE, rect.top() + PAD + 1, 5 * STAR_SIZE, STAR_SIZE + 2)
    name = QRect(left, rect.top() + PAD, stars.left() - 6 - left, 18)
    lower = rect.top() + PAD + 26
    area = SPARK_AREA if rect.width() >= WIDE_ROW else SPARK_WIDTH  # narrow rows leave the label to the tooltip
    spark = QRect(rect.right() - PAD - area, lower, area, 18)
    details = QRect(left, lower, spark.left() - 6 - left, 18)
    return RowLayout(thumb, name, stars, details, spark)


def star_at(rect: QRect, pos: QPoint) -> int | None:
    """The star (1–5) under `pos` in a row drawn in `rect`, or None."""
    stars = row_layout(rect).stars.adjusted(-2, -3, 2, 3)
    if not stars.contains(pos):
        return None
    return min(5, max(1, (pos.x() - stars.left() - 2) // STAR_SIZE + 1))


class ClipDelegate(QStyledItemDelegate):
    """Paints clip rows; tooltips explain flags, stars and the clip's origin."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(220, ROW_HEIGHT)  # rows stretch to the list; this is the least it needs (a 1280 px screen)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        record: ClipRecord | None = index.data(RECORD_ROLE)
        if record is None:
            return
        rect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if selected:
            painter.fillRect(rect, qcolor(COLORS.accent_dim, 110))
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), qcolor(COLORS.accent))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, qcolor(COLORS.raised, 120))
        painter.setPen(qcolor(COLORS.grid))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
        if record.discarded:
            painter.setOpacity(DISCARDED_OPACITY)
        layout = row_layout(rect)
        self._paint_thumb(painter, layout.thumb, record, selected, bool(index.data(PLAYING_ROLE)))
        self._paint_duration(painter, option, layout.thumb, record)
        self._paint_name(painter, option, layout.name, record)
        draw_stars(painter, layout.stars, record.rating, COLORS.text_dim if selected else COLORS.border)
        self._paint_details(painter, option, layout.details, record)
        self._paint_spark(painter, option, layout.spark, record)
        painter.restore()

    def _paint_thumb(self, painter: QPainter, rect: QRect, record: ClipRecord, selected: bool, playing: bool) -> None:
        painter.fillRect(rect, qcolor(COLORS.clip_body_selected if selected else COLORS.clip_body))
        if record.missing:
            draw_missing(painter, rect)
        color = qcolor(COLORS.waveform_selected if selected else COLORS.waveform, 120 if record.missing else 255)
        draw_waveform(painter, rect.adjusted(2, 3, -2, -3), record.overview_minmax(), color)
        if playing:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(qcolor(COLORS.window, 190))
            painter.drawEllipse(rect.center(), 11, 11)
            painter.setBrush(qcolor(COLORS.accent))
            c = rect.center()
            painter.drawPolygon([QPoint(c.x() - 4, c.y() - 6), QPoint(c.x() - 4, c.y() + 6), QPoint(c.x() + 7, c.y())])
            painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_duration(
        self, painter: QPainter, option: QStyleOptionViewItem, thumb: QRect, record: ClipRecord
    ) -> None:
        """The length in the thumbnail's corner, on a dark chip so it reads over any waveform."""
        painter.setFont(small_font(option.font, -2))  # type: ignore[attr-defined]
        text = format_length(record.duration)
        width = painter.fontMetrics().horizontalAdvance(text) + 6
        height = painter.fontMetrics().height()
        chip = QRect(thumb.right() - width, thumb.bottom() - height, width + 1, height + 1)
        painter.fillRect(chip, qcolor(COLORS.base, 200))
        painter.setPen(qcolor(COLORS.text))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_name(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, record: ClipRecord) -> None:
        font = option.font  # type: ignore[attr-defined]
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(qcolor(COLORS.text))
        name = painter.fontMetrics().elidedText(clip_name(record), Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

    def _paint_details(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, record: ClipRecord) -> None:
        """The badges, as many as fit, then "+n" for the rest (the tooltip lists them all)."""
        painter.setFont(small_font(option.font, -2))  # type: ignore[attr-defined]
        shown = badges(record)
        x = rect.left()
        for i, (text, color) in enumerate(shown):
            width = badge_width(painter, text)
            rest = len(shown) - i - 1
            room = rect.right() - (badge_width(painter, f"+{rest}") + 4 if rest else 0)
            if x + width > room:
                draw_badge(
                    painter,
                    QRect(x, rect.top() + 1, badge_width(painter, f"+{rest + 1}"), rect.height() - 2),
                    f"+{rest + 1}",
                    COLORS.text_dim,
                )
                break
            draw_badge(painter, QRect(x, rect.top() + 1, width, rect.height() - 2), text, color)
            x += width + 4

    def _paint_spark(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, record: ClipRecord) -> None:
        curve = record.temperature_curve()
        if curve is None:
            return
        graph = QRect(rect.right() - SPARK_WIDTH, rect.top() + 2, SPARK_WIDTH, rect.height() - 4)
        values = curve.sparkline(SPARK_WIDTH, record.duration)
        draw_sparkline(painter, graph, values, qcolor(COLORS.accent))
        low, high = min(values), max(values)
        label = f"T {_short(low)}" if curve.constant_value is not None else f"T {_short(low)}–{_short(high)}"
        if rect.width() <= SPARK_WIDTH:
            return
        painter.setFont(small_font(option.font, -2))  # type: ignore[attr-defined]
        painter.setPen(qcolor(COLORS.text_dim))
        label_rect = QRect(rect.left(), rect.top(), graph.left() - 4 - rect.left(), rect.height())
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)

    # -- tooltips ---------------------------------------------------------------------------------------------------

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        record: ClipRecord | None = index.data(RECORD_ROLE)
        if event is None or event.type() != QEvent.Type.ToolTip or record is None:
            return super().helpEvent(event, view, option, index)
        text = tooltip_at(option.rect, event.pos(), record)  # type: ignore[attr-defined]
        QToolTip.showText(event.globalPos(), text, view)
        return True


def _short(value: float) -> str:
    """0.9 rather than 0.90, 1.25 as it is."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def badges(record: ClipRecord) -> list[tuple[str, str]]:
    """(text, colour) of the badges a row shows: missing media, the flags, discarded, and then how new it is."""
    shown = [("missing", COLORS.bad)] if record.missing else []
    shown += [(flag, FLAG_COLORS.get(flag, COLORS.warn)) for flag in record.flags]
    if record.novelty is not None:
        shown.append((novelty_text(record.novelty), COLORS.text_dim))
    return shown + [("discarded", COLORS.text_dim)] if record.discarded else shown


def novelty_text(novelty: float) -> str:
    """The novelty badge: "87% new"."""
    return f"{novelty:.0%} new"


def tooltip_at(rect: QRect, pos: QPoint, record: ClipRecord) -> str:
    """What hovering at `pos` explains: a star, a badge (by position along the details line) or the clip."""
    layout = row_layout(rect)
    stars = star_at(rect, pos)
    if stars is not None:
        return f"Click to rate {stars} star{'s' if stars > 1 else ''} (keys 1–5; 0 clears)"
    if layout.details.contains(pos):
        notes = [_badge_help(text, record) for text, _ in badges(record)]
        if notes:
            return "\n".join(notes)
    if layout.spark.contains(pos) and record.temperature_curve() is not None:
        curve = record.temperature_curve()
        assert curve is not None
        return f"Temperature over the clip: {curve.to_string()}\n(dotted line: T = 1; lower is calmer, higher wilder)"
    return clip_summary(record)


def _badge_help(text: str, record: ClipRecord) -> str:
    if text == "missing":
        return f"Missing: the audio file {record.path} is gone from the library folder; it cannot be played."
    if text == "discarded":
        return "Discarded: hidden unless “Show discarded” is on; right-click ▸ Restore brings it back."
    if record.novelty is not None and text == novelty_text(record.novelty):
        return (
            f"Novelty: {text} — the share of the clip that matches no passage of its model's training audio "
            "(sort by Novelty; select the clip to see its lineage)."
        )
    return flag_help(text, record)


def clip_summary(record: ClipRecord) -> str:
    """The clip's name and origin, for the row tooltip."""
    lines = [clip_name(record), f"{format_length(record.duration)} · {record.sample_rate} Hz · {record.channels} ch"]
    if record.model:
        step = f" (step {record.checkpoint_step})" if record.checkpoint_step is not None else ""
        seed = f", seed {record.seed}" if record.seed is not None else ""
        cut = f", tail cut {record.min_p * 100:.3g} %" if record.min_p is not None else ""
        levels = f", top levels {record.top_k}" if record.top_k else ""  # 0 or not recorded: all levels
        lines.append(f"Generated by {record.model}{step}{seed}{cut}{levels}")
    if record.source:
        lines.append(f"Imported from {record.source}")
    if record.tags:
        lines.append("Tags: " + ", ".join(record.tags))
    if record.notes:
        lines.append(record.notes)
    return "\n".join(lines)


def drag_pixmap(records: list[ClipRecord], width: int = 140, height: int = 40) -> QPixmap:
    """A small waveform of the first dragged clip, with the count when several are dragged."""
    pixmap = QPixmap(width, height)
    pixmap.fill(QColor(COLORS.clip_body))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if records:
        draw_waveform(
            painter, QRect(2, 3, width - 4, height - 6), records[0].overview_minmax(), qcolor(COLORS.waveform)
        )
    painter.setPen(qcolor(COLORS.accent))
    painter.drawRect(QRect(0, 0, width - 1, height - 1))
    if len(records) > 1:
        painter.setBrush(qcolor(COLORS.accent))
        painter.drawRoundedRect(QRect(width - 26, 2, 24, 14), 4, 4)
        painter.setPen(qcolor(COLORS.window))
        painter.drawText(QRect(width - 26, 2, 24, 14), Qt.AlignmentFlag.AlignCenter, str(len(records)))
    painter.end()
    return pixmap
