"""The clip library keeps each clip's novelty and best match: old manifests gain the columns, "echo" flags the
copies, and the list sorts by novelty."""

import numpy as np
import pytest

from inspiration.engine.errors import LibraryError
from inspiration.engine.generation.job import GenerateRequest, generate_into_library
from inspiration.engine.library.clip_library import ClipLibrary
from tests.engine.old_manifests import FIRST_COLUMNS, write_old_manifest

MATCH = {
    "source": "/music/a.wav",
    "source_start": 1.0,
    "source_end": 5.0,
    "clip_start": 0.0,
    "clip_end": 4.0,
    "similarity": 0.9,
}


def tone(seconds=0.5, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_a_manifest_written_without_the_lineage_columns_opens_and_gains_them(tmp_path):
    folder = tmp_path / "old"
    write_old_manifest(
        folder,
        [FIRST_COLUMNS],
        """
        INSERT INTO clips (id, path, created, duration, sample_rate, channels, peak, rms, rating)
            VALUES ('old', 'clips/old.wav', '2026-01-01T00:00:00.000Z', 1.0, 16000, 1, 0.5, 0.2, 3);
        """,
    )
    library = ClipLibrary(folder)
    record = library.get("old")
    assert record.rating == 3 and record.novelty is None and record.lineage is None
    updated = library.set_lineage("old", 0.25, MATCH)
    assert updated.novelty == 0.25 and updated.lineage == MATCH and "echo" in updated.flags
    assert ClipLibrary(folder).get("old").lineage == MATCH  # the columns are there for good


def test_echo_flags_mostly_copied_clips_and_the_list_sorts_by_novelty(tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    ids = [library.add(tone(), 16000, name=name).id for name in ("copy", "new", "unknown", "half")]
    library.set_lineage("copy", 0.1, MATCH)
    library.set_lineage("new", 1.0, None)
    library.set_lineage("half", 0.5, MATCH)
    assert [r.id for r in library.list(flags=["echo"])] == ["half", "copy"]
    assert "echo" not in library.get("new").flags and library.get("new").lineage is None
    assert [r.id for r in library.list(sort="novelty")] == ["new", "half", "copy", "unknown"]
    assert [r.id for r in library.list(sort="novelty", descending=False)] == ["copy", "half", "new", "unknown"]
    assert [r.id for r in library.list(exclude_flags=["echo"])] == [i for i in reversed(ids) if i in ("new", "unknown")]


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.5", True])
def test_a_novelty_outside_0_to_1_is_refused(tmp_path, bad):
    library = ClipLibrary(tmp_path / "lib")
    clip = library.add(tone(), 16000)
    with pytest.raises(LibraryError, match="novelty"):
        library.set_lineage(clip.id, bad, None)


def test_generated_clips_record_novelty_when_the_model_has_an_index(tiny_model_root, tmp_path):
    model = tiny_model_root / "models" / "tiny"
    assert (model / "lineage.safetensors").is_file()  # training made it
    library = ClipLibrary(tmp_path / "lib")
    landed = []
    request = GenerateRequest(model=model, count=2, seconds=0.2, first_seed=1, batch=2)
    ids = generate_into_library(request, library, on_clip=landed.append)
    assert all(r.novelty is not None and 0.0 <= r.novelty <= 1.0 for r in landed)
    assert [library.get(i).novelty for i in ids] == [r.novelty for r in landed]
