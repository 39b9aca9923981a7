"""The main window's menu bar and toolbar, laid out from its actions (the window owns the actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from inspiration.ui.main_window import MainWindow


def build_menus(window: MainWindow) -> QMenu:
    """File, Edit, View, Transport, Instrument and Help; returns the (empty) Open recent menu to fill."""
    w = window
    menu = w.menuBar()
    file = menu.addMenu("&File")
    file.addActions([w.act_new, w.act_open])
    recent = file.addMenu("Open &recent")
    file.addActions([w.act_save, w.act_save_as])
    file.addSeparator()
    file.addActions([w.act_import, w.act_import_folder, w.act_library])
    file.addSeparator()
    file.addAction(w.act_export)
    file.addSeparator()
    file.addAction(w.act_quit)
    edit = menu.addMenu("&Edit")
    edit.addActions([w.act_undo, w.act_redo])
    edit.addSeparator()
    view = menu.addMenu("&View")
    for name, action in w.timeline_actions.items():
        (view if name.startswith("zoom") else edit).addAction(action)
    view.addSeparator()
    view.addAction(w.act_follow)
    view.addAction(w.act_panels)
    view.addActions([dock.toggleViewAction() for dock in w.docks()])
    transport = menu.addMenu("&Transport")
    transport.addActions([w.act_play, w.act_stop, w.act_rewind, w.act_loop])
    instrument = menu.addMenu("&Instrument")
    instrument.addActions([w.act_generate, w.act_live])
    help_menu = menu.addMenu("&Help")
    help_menu.addActions([w.act_shortcuts, w.act_about])
    return recent


def build_toolbar(window: MainWindow) -> None:
    """Files · undo · transport and time · zoom and editing · instrument · import/export."""
    w = window
    bar = w.addToolBar("Main")
    bar.setObjectName("toolbar-main")
    bar.setMovable(False)
    bar.addActions([w.act_new, w.act_open, w.act_save])
    bar.addSeparator()
    bar.addActions([w.act_undo, w.act_redo])
    bar.addSeparator()
    bar.addActions([w.act_rewind, w.act_play, w.act_stop, w.act_loop])
    bar.addWidget(w.time_display)
    bar.addSeparator()
    for name in ("zoom_out", "zoom_in", "zoom_fit", "add_track", "split"):
        if name in w.timeline_actions:
            bar.addAction(w.timeline_actions[name])
    bar.addSeparator()
    bar.addActions([w.act_generate, w.act_live])
    bar.addSeparator()
    bar.addActions([w.act_import, w.act_export])
