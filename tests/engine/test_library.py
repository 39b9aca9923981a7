import sqlite3
import subprocess
import sys
import time
from datetime import datetime

import numpy as np
import pytest
import soundfile as sf

from benchmarks.music import synthetic_music
from inspiration.engine.audio.files import minmax_overview
from inspiration.engine.curves.curve import CURVE_PRESETS, parse_curve
from inspiration.engine.errors import (
    AudioReadError,
    InspirationError,
    InspirationWarning,
    LibraryError,
    OutputNotWritableError,
)
from inspiration.engine.library import clip_library as library_module
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.manifest import MANIFEST_NAME

RATE = 16000


@pytest.fixture(scope="module")
def music() -> np.ndarray:
    return synthetic_music(6, RATE, seed=0)


@pytest.fixture
def lib(tmp_path) -> ClipLibrary:
    return ClipLibrary(tmp_path / "library")


def loop_clip(seconds: float = 6) -> np.ndarray:
    phrase = synthetic_music(1.0, RATE, seed=4)[: int(0.5 * RATE)]
    return np.resize(phrase, int(seconds * RATE)).astype(np.float32)


def noise_clip(seconds: float = 6) -> np.ndarray:
    return (0.2 * np.random.default_rng(0).standard_normal(int(seconds * RATE))).astype(np.float32)


def test_add_writes_the_audio_and_records_what_the_ui_needs(lib, music):
    record = lib.add(
        music, RATE, model="album", checkpoint_step=40000, seed=7, curve="ramp", prime="intro.wav",
        tags=["calm", " calm ", "", "night"], notes="first try", name="Evening take",
    )  # fmt: skip
    assert record.id == "Evening-take" and record.path == "clips/Evening-take.wav"
    assert lib.path_of(record.id) == lib.folder / "clips" / "Evening-take.wav"
    audio, rate = sf.read(lib.path_of(record.id), dtype="float32")
    assert rate == RATE and np.allclose(audio, music, atol=1e-4)
    assert record.duration == pytest.approx(6.0) and record.sample_rate == RATE and record.channels == 1
    assert (record.model, record.checkpoint_step, record.seed, record.prime) == ("album", 40000, 7, "intro.wav")
    assert record.curve == CURVE_PRESETS["ramp"].to_dict() and record.temperature_curve() == CURVE_PRESETS["ramp"]
    assert record.tags == ("calm", "night") and record.notes == "first try"
    assert record.peak == pytest.approx(0.9, abs=1e-3) and 0.05 < record.rms < 0.3
    assert record.flags == () and record.score == 1.0 and record.measures["loop_period"] is None
    assert (record.rating, record.discarded, record.missing, record.source) == (0, False, False, None)
    assert datetime.fromisoformat(record.created.replace("Z", "+00:00")).utcoffset().total_seconds() == 0
    overview = record.overview_minmax()
    assert overview.shape == (256, 2) and overview.dtype == np.float32
    np.testing.assert_allclose(overview, minmax_overview(music, 256), atol=1 / 127)
    assert len(record.overview) == 512  # int8 pairs: small enough to list hundreds of clips at once


def test_stereo_other_formats_and_curve_objects(lib, music):
    stereo = np.stack([music, 0.5 * music])
    flac = lib.add(stereo, RATE, format="flac", curve=parse_curve("0s:0.9,3s:1.2/smooth"))
    assert flac.path.endswith(".flac") and flac.channels == 2
    assert sf.info(str(lib.path_of(flac.id))).channels == 2
    assert flac.temperature_curve() == parse_curve("0s:0.9,3s:1.2/smooth")
    ogg = lib.add(music, RATE, format="ogg", curve={"points": [[0, 1.0]]})
    assert ogg.path.endswith(".ogg") and ogg.curve == {
        "points": [[0.0, 1.0]],
        "unit": "fraction",
        "interpolation": "linear",
    }
    assert ogg.id.startswith("clip-")


@pytest.mark.parametrize(
    ("audio", "kwargs", "message"),
    [
        (np.array([0.1, np.nan], np.float32), {}, "NaN"),
        (np.zeros(0, np.float32), {}, "non-empty"),
        (np.zeros((2, 3, 4), np.float32), {}, "shaped"),
        (np.zeros(100, np.float32), {"format": "mp4"}, "cannot store clips as 'mp4'"),
        (np.zeros(100, np.float32), {"seed": 1.5}, "seed must be a whole number"),
        (np.zeros(100, np.float32), {"tags": [3]}, "a tag must be text"),
        (np.zeros(100, np.float32), {"curve": "0:9"}, "temperature 9 is too high"),
        (np.zeros(100, np.float32), {"min_p": 1.0}, "min-p must be a number at least 0 and below 1"),
        (np.zeros(100, np.float32), {"min_p": float("nan")}, "min-p must be"),
        (np.zeros(100, np.float32), {"min_p": "0.1"}, "min-p must be"),
    ],
)
def test_bad_clips_are_refused_and_leave_nothing_behind(lib, audio, kwargs, message):
    with pytest.raises(InspirationError, match=message):
        lib.add(audio, RATE, **kwargs)
    assert len(lib) == 0 and list(lib.clips_folder.iterdir()) == []
    with pytest.raises(LibraryError, match="sample rate"):
        lib.add(np.zeros(100, np.float32), 0)


def test_a_failed_audio_write_leaves_no_record(lib, music, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OutputNotWritableError("cannot write: no space left on device")

    monkeypatch.setattr(library_module, "write_audio", full_disk)
    with pytest.raises(OutputNotWritableError):
        lib.add(music, RATE)
    assert len(lib) == 0


def test_names_are_made_safe_and_unique(lib, music):
    short = music[:RATE]
    ids = [
        lib.add(short, RATE, name=n).id
        for n in ["take", "take", "TAKE", "../../etc/pass wd", "con", "...", "Café", "loop.wav"]
    ]
    assert ids[:3] == ["take", "take-2", "TAKE-3"]  # case-insensitive: safe on macOS and Windows file systems
    assert ids[3] == "etc-pass-wd" and ids[4] == "con-clip" and ids[5].startswith("clip-") and ids[6] == "Café"
    assert ids[7] == "loop" and lib.get("loop").path == "clips/loop.wav"
    assert all(p.parent == lib.clips_folder for p in lib.clips_folder.iterdir())
    (lib.clips_folder / "solo.wav").write_bytes(b"someone else's file")
    assert lib.add(short, RATE, name="solo").id == "solo-2"  # an unrecorded file is never overwritten
    assert (lib.clips_folder / "solo.wav").read_bytes() == b"someone else's file"


def test_list_filters_and_sorts(lib, music):
    good = lib.add(music, RATE, model="a", tags=["keep"])
    looping = lib.add(loop_clip(), RATE, model="a")
    noisy = lib.add(noise_clip(), RATE, model="b", tags=["keep"])
    silent = lib.add(np.zeros(6 * RATE, np.float32), RATE, model="b")
    short = lib.add(music[: RATE // 2], RATE, model="a")
    assert looping.flags == ("loop",) and noisy.flags == ("noise",) and silent.flags == ("silent",)
    lib.rate(looping.id, 5)
    lib.rate(short.id, 3)
    lib.discard(noisy.id)

    ids = lambda records: [r.id for r in records]  # noqa: E731
    assert ids(lib.list()) == [short.id, silent.id, looping.id, good.id]  # newest first
    assert ids(lib.list(descending=False)) == [good.id, looping.id, silent.id, short.id]
    assert noisy.id in ids(lib.list(include_discarded=True))
    assert ids(lib.list(min_rating=3)) == [short.id, looping.id]
    assert ids(lib.list(sort="rating")) == [looping.id, short.id, silent.id, good.id]
    assert ids(lib.list(sort="duration"))[-1] == short.id
    assert ids(lib.list(model="b", include_discarded=True)) == [silent.id, noisy.id]
    assert ids(lib.list(tag="keep")) == [good.id]
    assert ids(lib.list(flags=["loop", "silent"])) == [silent.id, looping.id]
    assert ids(lib.list(exclude_flags=["loop", "silent", "noise"])) == [short.id, good.id]
    by_quality = ids(lib.list(sort="quality", include_discarded=True))
    assert by_quality[:2] == [short.id, good.id] and by_quality[-1] == silent.id  # the dreary sink
    assert by_quality.index(looping.id) < by_quality.index(noisy.id)
    with pytest.raises(ValueError, match="sort must be one of"):
        lib.list(sort="loudness")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown quality flag"):
        lib.list(flags=["boring"])


def test_rate_discard_restore_tags_and_notes(lib, music):
    clip = lib.add(music[:RATE], RATE)
    assert lib.rate(clip.id, 4).rating == 4
    assert lib.discard(clip.id).discarded and lib.list() == []
    assert not lib.restore(clip.id).discarded and len(lib.list()) == 1
    assert lib.set_tags(clip.id, ["drums", "drums ", "loud"]).tags == ("drums", "loud")
    assert lib.set_notes(clip.id, "use in the bridge").notes == "use in the bridge"
    for stars in (6, -1, 2.5, True, "5"):
        with pytest.raises(LibraryError, match="a rating is 0 to 5 stars"):
            lib.rate(clip.id, stars)
    with pytest.raises(LibraryError, match="no clip 'nope'"):
        lib.rate("nope", 3)
    with pytest.raises(LibraryError, match="no clip 'nope'"):
        lib.get("nope")
    assert lib.get(clip.id).rating == 4


def test_everything_persists_across_instances(tmp_path, music):
    first = ClipLibrary(tmp_path / "lib")
    clip = first.add(music[:RATE], RATE, seed=3, tags=["x"])
    first.rate(clip.id, 2)
    again = ClipLibrary(tmp_path / "lib")
    assert again.get(clip.id) == first.get(clip.id)
    assert again.get(clip.id).rating == 2 and len(again) == 1


def test_a_clip_file_deleted_by_hand(lib, music):
    kept = lib.add(music[:RATE], RATE)
    gone = lib.add(music[:RATE], RATE, name="gone")
    lib.rate(gone.id, 5)
    lib.path_of(gone.id).unlink()
    records = {r.id: r for r in lib.list()}
    assert records[gone.id].missing and not records[kept.id].missing
    assert lib.get(gone.id).rating == 5  # the record and its metadata are kept
    assert lib.list(sort="quality")[-1].id == gone.id
    assert [r.id for r in lib.refresh().missing] == [gone.id]
    assert lib.prune_missing() == [gone.id]
    assert [r.id for r in lib.list()] == [kept.id] and lib.path_of(kept.id).exists()


def _corrupt(lib: ClipLibrary, clip_id: str, **values: object) -> None:
    db = sqlite3.connect(lib.folder / MANIFEST_NAME)
    with db:
        for column, value in values.items():
            db.execute(f"UPDATE clips SET {column} = ? WHERE id = ?", (value, clip_id))
    db.close()


def test_damaged_records_are_skipped_with_a_warning(lib, music):
    good = lib.add(music[:RATE], RATE, name="good")
    bad_tags = lib.add(music[:RATE], RATE, name="bad-tags")
    bad_rating = lib.add(music[:RATE], RATE, name="bad-rating")
    escape = lib.add(music[:RATE], RATE, name="escape")
    _corrupt(lib, bad_tags.id, tags="[not json")
    _corrupt(lib, bad_rating.id, rating="lots")
    _corrupt(lib, escape.id, path="../outside.wav")
    (lib.folder.parent / "outside.wav").write_bytes(b"not the library's")
    with pytest.warns(InspirationWarning, match="skipped 3 damaged record") as caught:
        assert [r.id for r in lib.list()] == [good.id]
    assert "bad-tags" in str(caught[0].message) and "escape" in str(caught[0].message)
    with pytest.raises(LibraryError, match="record of clip 'bad-rating' is damaged"):
        lib.get(bad_rating.id)
    with pytest.raises(LibraryError, match="damaged"):
        lib.rate(bad_tags.id, 3)
    lib.remove(escape.id, delete_audio=True)  # never reaches outside the library
    assert (lib.folder.parent / "outside.wav").exists()
    lib.remove(bad_tags.id)
    lib.remove(bad_rating.id)
    assert [r.id for r in lib.list()] == [good.id]


def test_a_damaged_manifest_file_is_set_aside_and_rebuilt(tmp_path, music):
    folder = tmp_path / "lib"
    first = ClipLibrary(folder)
    clip = first.add(music[:RATE], RATE, name="survivor")
    first.rate(clip.id, 5)
    (folder / MANIFEST_NAME).write_bytes(b"\x00garbage" * 500)
    with pytest.warns(InspirationWarning, match="manifest was damaged"):
        rebuilt = ClipLibrary(folder)
    assert [r.id for r in rebuilt.list()] == ["survivor"]
    assert rebuilt.get("survivor").rating == 0  # metadata was in the damaged file
    kept = list(folder.glob(f"{MANIFEST_NAME}.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"\x00garbage")


def test_import_file_copies_and_keeps_the_original(lib, tmp_path, music):
    source = tmp_path / "outside" / "Field Recording.wav"
    source.parent.mkdir()
    sf.write(source, np.stack([music, music], axis=1), 44100, subtype="PCM_24")
    record = lib.import_file(source)
    assert record.id == "Field-Recording" and record.path == "clips/Field-Recording.wav"
    assert record.sample_rate == 44100 and record.channels == 2 and record.source == str(source)
    assert lib.path_of(record.id).read_bytes() == source.read_bytes() and source.exists()
    assert lib.import_file(source).id == "Field-Recording-2"

    junk = tmp_path / "outside" / "notes.wav"
    junk.write_text("not audio")
    with pytest.raises(AudioReadError, match="notes.wav"):
        lib.import_file(junk)
    with pytest.raises(LibraryError, match="no such file"):
        lib.import_file(tmp_path / "nowhere.wav")
    assert len(lib) == 2 and len(list(lib.clips_folder.iterdir())) == 2

    dropped = lib.clips_folder / "dropped.flac"  # dropped straight into clips/: adopted, not copied
    sf.write(dropped, music, RATE)
    adopted = lib.import_file(dropped)
    assert adopted.path == "clips/dropped.flac" and lib.import_file(dropped) == adopted
    assert len(list(lib.clips_folder.iterdir())) == 3


def test_refresh_adopts_files_put_in_the_clips_folder(lib, music):
    lib.add(music[:RATE], RATE, name="made")
    sf.write(lib.clips_folder / "by-hand.wav", music[:RATE], RATE)
    sf.write(lib.clips_folder / ".hidden.wav", music[:RATE], RATE)
    (lib.clips_folder / "readme.txt").write_text("hello")
    (lib.clips_folder / "broken.wav").write_bytes(b"RIFF....")
    with pytest.warns(InspirationWarning, match="broken.wav was not added"):
        result = lib.refresh()
    assert [r.id for r in result.adopted] == ["by-hand"] and result.missing == ()
    assert result.adopted[0].source is None and result.adopted[0].duration == pytest.approx(1.0)
    with pytest.warns(InspirationWarning, match="broken.wav"):
        assert lib.refresh().adopted == ()  # adopted once only
    assert sorted(r.id for r in lib.list()) == ["by-hand", "made"]


def test_remove_deletes_audio_only_when_asked(lib, music):
    keep = lib.add(music[:RATE], RATE, name="keep-file")
    drop = lib.add(music[:RATE], RATE, name="drop-file")
    keep_path, drop_path = lib.path_of(keep.id), lib.path_of(drop.id)
    lib.remove(keep.id)
    lib.remove(drop.id, delete_audio=True)
    assert keep_path.exists() and not drop_path.exists() and len(lib) == 0
    with pytest.raises(LibraryError, match="no clip"):
        lib.remove(keep.id)


_WRITER = """
import sys
import numpy as np
from inspiration.engine.library.clip_library import ClipLibrary
lib = ClipLibrary(sys.argv[1])
level = float(sys.argv[2])
for i in range(8):
    clip = lib.add(np.full(1600, level, np.float32), 16000, name="take", seed=i, model=sys.argv[2])
    lib.rate(clip.id, i % 6)
"""


@pytest.mark.slow
def test_two_processes_write_the_same_library(tmp_path):
    folder = tmp_path / "shared"
    ClipLibrary(folder)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(folder), level]) for level in ("0.25", "0.5")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    lib = ClipLibrary(folder)
    records = lib.list()
    assert len(records) == 16 and len({r.id for r in records}) == 16
    assert {r.id for r in records} == {"take", *(f"take-{i}" for i in range(2, 17))}
    for record in records:  # every file holds the audio of the process that recorded it
        audio, _ = sf.read(lib.path_of(record.id), dtype="float32")
        assert audio[0] == pytest.approx(float(record.model), abs=1e-3)
    assert sorted(r.seed for r in records) == sorted(list(range(8)) * 2)


def test_two_instances_in_threads(tmp_path, music):
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "threads"
    a, b = ClipLibrary(folder), ClipLibrary(folder)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(lib.add, music[:1600], RATE, name="same") for lib in (a, b) for _ in range(5)]
        ids = [f.result().id for f in futures]
    assert len(set(ids)) == 10 and len(a) == 10


def test_listing_hundreds_of_clips_is_fast(lib):
    tiny = (0.3 * np.sin(np.arange(1600) / 5)).astype(np.float32)
    for _ in range(200):
        lib.add(tiny, RATE)
    started = time.perf_counter()
    records = lib.list(sort="quality")
    elapsed = time.perf_counter() - started
    assert len(records) == 200 and all(len(r.overview) == 512 for r in records)
    assert elapsed < 0.5  # about 5 ms


def test_minmax_overview():
    x = np.array([0.0, 1.0, -1.0, 0.5], np.float32)
    np.testing.assert_array_equal(minmax_overview(x, 2), [[0.0, 1.0], [-1.0, 0.5]])
    assert minmax_overview(np.zeros(0, np.float32), 4).tolist() == [[0, 0]] * 4
    assert minmax_overview(np.array([0.1, 0.2], np.float32), 4).shape == (4, 2)
    stereo = np.stack([np.full(10, 0.5), np.full(10, -0.25)]).astype(np.float32)
    np.testing.assert_array_equal(minmax_overview(stereo, 2), [[-0.25, 0.5], [-0.25, 0.5]])


def test_get_many_and_paths_read_many_records_at_once(tmp_path):
    from inspiration.engine.library.clip_library import ClipLibrary

    library = ClipLibrary(tmp_path / "lib")
    ids = [library.add(np.zeros(800, np.float32) + 0.1 * i, 16000).id for i in range(1, 4)]
    found = library.get_many([ids[2], "nope", ids[0], ids[2]])
    assert list(found) == [ids[2], ids[0]] and found[ids[0]].id == ids[0]
    paths = library.paths()
    assert set(paths) == set(ids) and all(paths[i] == library.path_of(i) for i in ids)
