"""The installed Qt binding keeps Python's reference counts right: a binding that loses a reference to None or a
bool on calls returning nothing crashes a long-running app (PySide6 6.12.0 did on Python 3.11)."""

import sys

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor


def test_calls_returning_nothing_keep_none_alive():
    color = QColor(1, 2, 3)
    before = sys.getrefcount(None)
    for _ in range(500):
        color.setAlpha(3)
    assert sys.getrefcount(None) - before > -100, "this PySide6 build loses references to None: use another version"


def test_calls_returning_bools_keep_their_references():
    obj = QObject()
    before = sys.getrefcount(False)
    for _ in range(500):
        obj.blockSignals(False)
    assert sys.getrefcount(False) - before > -100
