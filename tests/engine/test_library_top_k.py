"""The clip library records the top-k each generated clip was made with; manifests from before it gain the column,
and their generated clips read as top-k 0 (no cut, what made them)."""

import sqlite3

import numpy as np
import pytest

from inspiration.engine.errors import InspirationWarning, LibraryError
from inspiration.engine.library import clip_record
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.manifest import MANIFEST_NAME
from inspiration.engine.model import truncation
from tests.engine.old_manifests import FIRST_COLUMNS, LINEAGE_COLUMNS, MIN_P_COLUMNS, write_old_manifest

TONE = (0.5 * np.sin(np.arange(1600) / 5)).astype(np.float32)


def columns(folder):
    db = sqlite3.connect(folder / MANIFEST_NAME)
    try:
        return {row[1]: row[2] for row in db.execute("PRAGMA table_info(clips)")}
    finally:
        db.close()


@pytest.mark.parametrize(
    "old_columns", [[FIRST_COLUMNS, LINEAGE_COLUMNS], [FIRST_COLUMNS, LINEAGE_COLUMNS, MIN_P_COLUMNS]]
)
def test_a_manifest_without_the_top_k_column_gains_it_and_old_generated_clips_read_as_zero(tmp_path, old_columns):
    folder = tmp_path / "old"
    write_old_manifest(
        folder,
        old_columns,
        """
        INSERT INTO clips (id, path, created, duration, sample_rate, channels, model, seed, curve, peak, rms)
            VALUES ('made', 'clips/made.wav', '2026-01-01T00:00:00.000Z', 1.0, 16000, 1, 'tiny', 7,
                    '{"points": [[0, 1.0]]}', 0.5, 0.2);
        INSERT INTO clips (id, path, created, duration, sample_rate, channels, source, peak, rms)
            VALUES ('imported', 'clips/imported.wav', '2026-01-01T00:00:00.000Z', 1.0, 16000, 1, '/a.wav', 0.5, 0.2);
        """,
    )
    assert "top_k" not in columns(folder)
    library = ClipLibrary(folder)
    made, imported = library.get("made"), library.get("imported")
    assert (made.min_p, made.top_k) == (0.0, 0) and (imported.min_p, imported.top_k) == (None, None)
    added = library.add(TONE, 16000, model="tiny", seed=8, curve="ramp", min_p=0.05, top_k=32)
    reopened = ClipLibrary(folder).get(added.id)  # the column is there for good
    assert (reopened.min_p, reopened.top_k) == (0.05, 32)
    assert columns(folder)["top_k"] == "INTEGER"


def test_a_record_round_trips_its_top_k(tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    for value in (0, 2, 32, np.int64(1024), truncation.MAX_TOP_K):
        clip = library.add(TONE, 16000, model="tiny", seed=1, curve="ramp", top_k=value)
        assert clip.top_k == value and type(clip.top_k) is int
        assert ClipLibrary(library.folder).get(clip.id).top_k == value
    assert library.add(TONE, 16000).top_k is None  # not generated: no top-k
    assert library.add(TONE, 16000, curve="ramp").top_k == 0  # generated, none given: no cut


@pytest.mark.parametrize("value", [1, -3, 2.5, 32.0, "32", True, truncation.MAX_TOP_K + 1, float("nan")])
def test_a_bad_top_k_is_refused_and_leaves_nothing_behind(tmp_path, value):
    library = ClipLibrary(tmp_path / "lib")
    with pytest.raises(LibraryError, match="top-k must be a whole number, 0 or from 2 to 65536"):
        library.add(TONE, 16000, model="tiny", seed=1, curve="ramp", top_k=value)
    assert len(library) == 0 and list(library.clips_folder.iterdir()) == []


@pytest.mark.parametrize("stored", [1, -2, truncation.MAX_TOP_K + 1, 2.5, "lots"])
def test_a_damaged_top_k_is_reported_as_a_damaged_record(tmp_path, stored):
    library = ClipLibrary(tmp_path / "lib")
    clip = library.add(TONE, 16000, model="tiny", seed=1, curve="ramp", top_k=8)
    db = sqlite3.connect(library.folder / MANIFEST_NAME)
    db.execute("UPDATE clips SET top_k = ? WHERE id = ?", (stored, clip.id))
    db.commit()
    db.close()
    with pytest.raises(LibraryError, match="damaged"):
        library.get(clip.id)
    with pytest.warns(InspirationWarning, match="skipped 1 damaged record"):
        assert library.list() == []  # skipped with a warning, like any damaged row


def test_the_library_refuses_the_top_ks_the_model_refuses():
    assert clip_record.MAX_TOP_K == truncation.MAX_TOP_K
    for value in range(-2, 5):
        try:
            truncation.checked_top_k(value)
        except ValueError:
            with pytest.raises(LibraryError):
                clip_record.optional_top_k(value)
        else:
            assert clip_record.optional_top_k(value) == value
