"""Start the desktop app: Qt application, theme, logging to a rotating file, the main window."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from inspiration import __version__
from inspiration.engine.places import Places, user_places
from inspiration.ui.display_check import display_problem
from inspiration.ui.icons import app_icon
from inspiration.ui.main_window import MainWindow
from inspiration.ui.theme import apply_dark_theme

log = logging.getLogger("inspiration")
_keep_open: list[object] = []  # the crash log stays open for faulthandler until the process ends
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def make_application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication with the app's names (settings go under them), icon and dark theme."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):  # None; a plain QCoreApplication makes the constructor say so
        app = QApplication([sys.argv[0] if sys.argv else "inspiration", *argv])
    app.setOrganizationName("inspiration")
    app.setApplicationName("Inspiration")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("inspiration")
    app.setWindowIcon(app_icon())
    apply_dark_theme(app)
    return app


def setup_logging(places: Places) -> Path:
    """Log to a rotating file in the user's log folder and route Qt's messages there too."""
    places.logs.mkdir(parents=True, exist_ok=True)
    path = places.logs / "inspiration.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    qInstallMessageHandler(lambda kind, _context, message: log.log(_QT_LEVELS.get(kind, logging.INFO), message))
    previous = sys.excepthook

    def log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        """An exception that escaped a slot: into the log (a launcher's stderr is lost), then the usual print."""
        log.error("uncaught exception", exc_info=(kind, error, trace))
        previous(kind, error, trace)

    sys.excepthook = log_uncaught
    crash_log = open(places.logs / "crash.log", "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    faulthandler.enable(crash_log)  # a fatal signal (a crash in native code) leaves its Python stack there
    _keep_open.append(crash_log)
    threading.excepthook = lambda args: log.error(
        "uncaught exception in thread %s", args.thread, exc_info=args.exc_value
    )
    return path


def keep_work_on_errors(window: MainWindow) -> None:
    """After an exception escapes a slot (logged by `setup_logging`): autosave the open work and tell the user, so
    that an internal error never costs unsaved edits. The app goes on running."""
    previous = sys.excepthook

    def save_and_tell(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        previous(kind, error, trace)
        try:
            window.files.autosave()
            window.statusBar().showMessage(
                f"Internal error ({kind.__name__}); your work was autosaved. Details are in the log.", 15_000
            )
        except Exception:  # noqa: BLE001 - the handler itself must never raise
            log.exception("could not autosave after an internal error")

    sys.excepthook = save_and_tell


def run(project: Path | None = None, library: Path | None = None) -> int:
    """Show the main window (opening `project`, showing the clip `library` folder, if given) and run until it
    closes; returns the exit status."""
    problem = display_problem()
    if problem is not None:  # Qt would abort with a message that does not say what to install
        print(f"error: {problem}", file=sys.stderr)
        return 2
    places = user_places()
    app = make_application()
    setup_logging(places)
    window = MainWindow(places, library_folder=library)
    keep_work_on_errors(window)
    window.show()
    if project is not None:
        window.files.open(project)
    else:
        window.start()
    return int(app.exec())
