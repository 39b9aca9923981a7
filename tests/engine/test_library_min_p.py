"""The clip library records the min-p each generated clip was made with; manifests from before it gain the column,
and their generated clips read as min-p 0 (plain sampling, what made them)."""

import sqlite3

import numpy as np
import pytest

from inspiration.engine.errors import InspirationWarning
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.manifest import MANIFEST_NAME
from tests.engine.old_manifests import FIRST_COLUMNS, LINEAGE_COLUMNS, write_old_manifest


def test_a_manifest_without_the_min_p_column_gains_it_and_old_generated_clips_read_as_zero(tmp_path):
    folder = tmp_path / "old"
    write_old_manifest(
        folder,
        [FIRST_COLUMNS, LINEAGE_COLUMNS],
        """
        INSERT INTO clips (id, path, created, duration, sample_rate, channels, model, seed, curve, peak, rms)
            VALUES ('made', 'clips/made.wav', '2026-01-01T00:00:00.000Z', 1.0, 16000, 1, 'tiny', 7,
                    '{"points": [[0, 1.0]]}', 0.5, 0.2);
        INSERT INTO clips (id, path, created, duration, sample_rate, channels, source, peak, rms)
            VALUES ('imported', 'clips/imported.wav', '2026-01-01T00:00:00.000Z', 1.0, 16000, 1, '/a.wav', 0.5, 0.2);
        """,
    )
    library = ClipLibrary(folder)
    assert library.get("made").min_p == 0.0 and library.get("imported").min_p is None
    tone = (0.5 * np.sin(np.arange(1600) / 5)).astype(np.float32)
    added = library.add(tone, 16000, model="tiny", seed=8, curve="ramp", min_p=0.05)
    assert ClipLibrary(folder).get(added.id).min_p == 0.05  # the column is there for good
    db = sqlite3.connect(folder / MANIFEST_NAME)
    assert "min_p" in {row[1] for row in db.execute("PRAGMA table_info(clips)")}
    db.close()


def test_a_damaged_min_p_is_reported_as_a_damaged_record(tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    tone = (0.5 * np.sin(np.arange(1600) / 5)).astype(np.float32)
    clip = library.add(tone, 16000, model="tiny", seed=1, curve="ramp", min_p=0.02)
    db = sqlite3.connect(library.folder / MANIFEST_NAME)
    db.execute("UPDATE clips SET min_p = 7.0 WHERE id = ?", (clip.id,))
    db.commit()
    db.close()
    with pytest.warns(InspirationWarning, match="skipped 1 damaged record"):
        assert library.list() == []  # skipped with a warning, like any damaged row
