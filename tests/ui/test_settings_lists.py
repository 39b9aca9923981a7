"""Remembered lists of strings survive the shapes QSettings can hand back, including damaged ones."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from inspiration.ui.settings_lists import read_strings


def test_an_absent_key_reads_as_an_empty_list():
    assert read_strings("files/recent") == []


def test_a_list_reads_back_in_order():
    QSettings().setValue("files/recent", ["/a.insp", "/b.insp"])
    assert read_strings("files/recent") == ["/a.insp", "/b.insp"]


def test_a_plain_string_is_a_list_of_one():
    QSettings().setValue("files/recent", "/a.insp")
    assert read_strings("files/recent") == ["/a.insp"]


@pytest.mark.parametrize("damaged", [7, 2.5, True, "", {"a": 1}])
def test_a_damaged_value_reads_as_an_empty_list(damaged):
    QSettings().setValue("files/recent", damaged)
    assert read_strings("files/recent") == []


def test_entries_that_are_not_strings_are_dropped():
    QSettings().setValue("files/recent", ["/a.insp", 3, "", "/b.insp"])
    assert read_strings("files/recent") == ["/a.insp", "/b.insp"]
