"""The dark theme: one accent colour on neutral greys, chosen for long sessions with audio."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Colors:
    """Every colour the app paints with; widgets take them from here rather than inventing their own."""

    window: str = "#1e1f22"
    panel: str = "#25262a"
    base: str = "#17181b"  # lists, the timeline background
    lane_alt: str = "#1b1c20"  # every other track lane
    raised: str = "#2e3035"  # buttons, headers
    border: str = "#3a3c42"
    text: str = "#e3e4e8"
    text_dim: str = "#9a9ca5"
    accent: str = "#f0a030"  # selection, playhead, focus: warm amber
    accent_dim: str = "#8a5d1e"
    waveform: str = "#7fb8d8"
    waveform_selected: str = "#ffd08a"
    clip_body: str = "#2f4656"
    clip_body_selected: str = "#5a4526"
    offline: str = "#6b2f33"
    loop: str = "#3d6b4f"
    grid: str = "#2b2d32"
    grid_strong: str = "#3b3e45"
    mute: str = "#d0a040"
    solo: str = "#5fb0e0"
    good: str = "#6cc070"
    warn: str = "#e0b040"
    bad: str = "#e05a5a"
    star: str = "#f5c542"


COLORS = Colors()


def qcolor(name: str, alpha: int = 255) -> QColor:
    """A QColor from a '#rrggbb' theme colour, with an optional alpha (0–255)."""
    color = QColor(name)
    color.setAlpha(alpha)
    return color


def apply_dark_theme(app: QApplication, colors: Colors = COLORS) -> None:
    """Fusion style, a dark palette and a small style sheet for the widgets the palette does not reach."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: colors.window,
        QPalette.ColorRole.WindowText: colors.text,
        QPalette.ColorRole.Base: colors.base,
        QPalette.ColorRole.AlternateBase: colors.panel,
        QPalette.ColorRole.ToolTipBase: colors.raised,
        QPalette.ColorRole.ToolTipText: colors.text,
        QPalette.ColorRole.PlaceholderText: colors.text_dim,
        QPalette.ColorRole.Text: colors.text,
        QPalette.ColorRole.Button: colors.raised,
        QPalette.ColorRole.ButtonText: colors.text,
        QPalette.ColorRole.BrightText: colors.accent,
        QPalette.ColorRole.Highlight: colors.accent_dim,
        QPalette.ColorRole.HighlightedText: colors.text,
        QPalette.ColorRole.Link: colors.accent,
        QPalette.ColorRole.Light: colors.border,
        QPalette.ColorRole.Midlight: colors.raised,
        QPalette.ColorRole.Mid: colors.border,
        QPalette.ColorRole.Dark: colors.base,
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, name in roles.items():
        palette.setColor(role, QColor(name))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colors.text_dim).darker(130))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(colors))


def style_sheet(colors: Colors = COLORS) -> str:
    up, down = (_icon_url(name) for name in ("chevron-up", "chevron-down"))
    return f"""
QAbstractSpinBox {{ padding-right: 18px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ subcontrol-origin: border; width: 16px;
            background: {colors.raised}; border-left: 1px solid {colors.border}; }}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; border-top-right-radius: 3px; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; border-bottom-right-radius: 3px; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {colors.accent_dim}; }}
QAbstractSpinBox::up-arrow {{ image: url({up}); width: 8px; height: 5px; }}
QAbstractSpinBox::down-arrow {{ image: url({down}); width: 8px; height: 5px; }}
QComboBox::drop-down {{ border: none; width: 18px; }}
QRadioButton::indicator, QCheckBox::indicator {{ width: 12px; height: 12px; border: 1px solid {colors.text_dim};
            background: {colors.base}; }}
QRadioButton::indicator {{ border-radius: 7px; }}
QCheckBox::indicator {{ border-radius: 3px; }}
QRadioButton::indicator:checked, QCheckBox::indicator:checked {{ background: {colors.accent};
            border-color: {colors.accent}; }}
QRadioButton::indicator:disabled, QCheckBox::indicator:disabled {{ border-color: {colors.border}; }}
QComboBox::down-arrow {{ image: url({down}); width: 9px; height: 6px; }}
QToolTip {{ color: {colors.text}; background: {colors.raised}; border: 1px solid {colors.border}; padding: 4px; }}
QToolBar {{ background: {colors.panel}; border: none; border-bottom: 1px solid {colors.border}; spacing: 4px;
            padding: 3px; }}
QToolButton {{ border: 1px solid transparent; border-radius: 4px; padding: 4px; }}
QToolButton:hover {{ background: {colors.raised}; border-color: {colors.border}; }}
QToolButton:checked {{ background: {colors.accent_dim}; border-color: {colors.accent}; }}
QStatusBar {{ background: {colors.panel}; border-top: 1px solid {colors.border}; color: {colors.text_dim}; }}
QDockWidget::title {{ background: {colors.panel}; padding: 5px; border-bottom: 1px solid {colors.border}; }}
QSplitter::handle {{ background: {colors.border}; }}
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox {{ background: {colors.base}; border: 1px solid {colors.border};
            border-radius: 3px; padding: 3px 5px; selection-background-color: {colors.accent_dim}; }}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDoubleSpinBox:focus {{ border-color: {colors.accent}; }}
QPushButton {{ background: {colors.raised}; border: 1px solid {colors.border}; border-radius: 4px;
            padding: 5px 12px; }}
QPushButton:hover {{ border-color: {colors.accent_dim}; }}
QPushButton:default {{ border-color: {colors.accent}; }}
QPushButton:disabled {{ color: {colors.text_dim}; }}
QProgressBar {{ background: {colors.base}; border: 1px solid {colors.border}; border-radius: 3px; text-align: center;
            height: 14px; }}
QProgressBar::chunk {{ background: {colors.accent_dim}; border-radius: 2px; }}
QListView, QTreeView {{ background: {colors.base}; border: none; outline: none; }}
QMenu {{ background: {colors.panel}; border: 1px solid {colors.border}; }}
QMenu::item:selected {{ background: {colors.accent_dim}; }}
QGroupBox {{ border: 1px solid {colors.border}; border-radius: 4px; margin-top: 12px; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; color: {colors.text_dim}; }}
"""


def _icon_url(name: str) -> str:
    """A packaged icon's file path in the form style sheets take (forward slashes on every system)."""
    return str(files("inspiration") / "resources" / "icons" / f"{name}.svg").replace("\\", "/")
