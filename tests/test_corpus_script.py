"""benchmarks/corpus.py on a fake Debian package made here: the split, the conversion, SOURCES.md, re-runs, failures."""

from __future__ import annotations

import io
import random
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from benchmarks import corpus
from benchmarks.corpus import Piece, build, split

RATE_IN = 22050


def _tone(seconds: float, peak: float, freq: float) -> bytes:
    t = np.arange(int(seconds * RATE_IN)) / RATE_IN
    stereo = np.stack([np.sin(2 * np.pi * freq * t), np.sin(2 * np.pi * freq * 1.5 * t)], axis=1) * peak
    out = io.BytesIO()
    sf.write(out, stereo.astype(np.float32), RATE_IN, format="WAV", subtype="FLOAT")
    return out.getvalue()


def _ar(members: dict[str, bytes]) -> bytes:
    out = b"!<arch>\n"
    for name, data in members.items():
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n".encode()
        out += header + data + (b"\n" if len(data) % 2 else b"")
    return out


def _deb(path: Path, files: dict[str, bytes]) -> Path:
    """A Debian package (ar of debian-binary, control and data.tar.xz) holding `files`."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:xz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo("./" + name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    path.write_bytes(_ar({"debian-binary": b"2.0\n", "control.tar.xz": b"", "data.tar.xz": data.getvalue()}))
    return path


def _pieces() -> list[Piece]:
    plain = [
        Piece("alpha", "fake-a", f"usr/share/a/{n}.ogg", f"A {n}", "Ann", "CC-BY-3.0", "calm", s)
        for n, s in [("one", 60.0), ("two", 90.0), ("three", 120.0), ("four", 30.0)]
    ]
    zipped = [
        Piece("beta", "fake-b", f"usr/share/b/music.pk3!music/{n}.ogg", f"B {n}", "Bo", "public domain", "busy", s)
        for n, s in [("Up", 100.0), ("Down", 100.0), ("Side", 80.0)]
    ]
    return plain + zipped


@pytest.fixture
def debs(tmp_path: Path) -> dict[str, Path]:
    store = tmp_path / "store"
    store.mkdir()
    a = {f"usr/share/a/{n}.ogg": _tone(1.2, 0.5, 220) for n in ("one", "two", "three")}  # "four" is missing
    pk3 = io.BytesIO()
    with zipfile.ZipFile(pk3, "w") as archive:
        for n, peak in [("Up", 1.3), ("Down", 0.4), ("Side", 0.4)]:
            archive.writestr(f"music/{n}.ogg", _tone(1.5, peak, 330))
    return {
        "fake-a": _deb(store / "fake-a_1.0-2_all.deb", a),
        "fake-b": _deb(store / "fake-b_3%3a2.5-1_all.deb", {"usr/share/b/music.pk3": pk3.getvalue()}),
    }


def test_split_is_by_piece_per_soundtrack_deterministic_and_near_the_fraction() -> None:
    pieces = [Piece("w", "p", f"m/{i}.ogg", "t", "a", "l", "s", 60.0 + 7 * i) for i in range(20)]
    pieces.append(Piece("solo", "p", "m/solo.ogg", "t", "a", "l", "s", 100.0))
    which = split(pieces)
    shuffled = pieces[:]
    random.Random(1).shuffle(shuffled)
    assert split(shuffled) == which
    assert which["solo-solo"] == "train"
    work = [p for p in pieces if p.work == "w"]
    held = sum(p.seconds for p in work if which[p.key] == "test") / sum(p.seconds for p in work)
    assert 0.10 <= held <= 0.20
    pair = [Piece("two", "p", f"m/{i}.ogg", "t", "a", "l", "s", 60.0) for i in range(2)]
    assert sorted(split(pair).values()) == ["test", "train"]


def test_build_converts_splits_and_records_sources(tmp_path: Path, debs: dict[str, Path]) -> None:
    dest = tmp_path / "corpus"
    outcome = build(dest, _pieces(), fetch=lambda package, _folder: debs[package], say=lambda _: None)

    assert outcome.failures == ["alpha-four: usr/share/a/four.ogg not found in fake-a_1.0-2_all.deb"]
    assert outcome.made == 6 and len(outcome.records) == 6
    which = split(_pieces())
    for record in outcome.records:
        path = dest / record.path
        assert path == dest / which[record.key] / record.style / f"{record.key}.flac"
        data, rate = sf.read(path, dtype="float32")
        assert rate == 16000 and data.ndim == 1
        assert record.seconds == pytest.approx(len(data) / 16000, abs=0.01)
    assert {r.split for r in outcome.records if r.work == "beta"} == {"train", "test"}
    up = next(r for r in outcome.records if r.key == "beta-up")
    assert up.gain_db < -1 and up.peak <= corpus.PEAK_CEILING
    assert next(r for r in outcome.records if r.key == "alpha-one").gain_db == 0.0

    sources = (dest / "SOURCES.md").read_text()
    assert "| Ann | CC-BY-3.0 | fake-a 1.0-2: usr/share/a/one.ogg |" in sources
    assert "| Bo | public domain | fake-b 3:2.5-1: usr/share/b/music.pk3!music/Side.ogg |" in sources
    assert "alpha-four: usr/share/a/four.ogg not found" in sources
    assert "Total: 0.00 h (0.1 min) in 6 pieces." in sources
    assert not (dest / ".downloads").exists()


def test_a_second_run_fetches_nothing_and_moves_pieces_whose_split_changed(
    tmp_path: Path, debs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "corpus"
    pieces = [p for p in _pieces() if p.key != "alpha-four"]
    build(dest, pieces, fetch=lambda package, _folder: debs[package], say=lambda _: None)
    before = (dest / "SOURCES.md").read_text()

    def no_fetch(package: str, _folder: Path) -> Path:
        raise AssertionError(f"fetched {package} again")

    again = build(dest, pieces, fetch=no_fetch, say=lambda _: None)
    assert (again.made, again.skipped, again.failures) == (0, 6, [])
    assert (dest / "SOURCES.md").read_text() == before

    monkeypatch.setattr(corpus, "TEST_FRACTION", 0.5)
    moved = build(dest, pieces, fetch=no_fetch, say=lambda _: None)
    flipped = split(pieces, 0.5)
    assert moved.made == 0 and all(r.split == flipped[r.key] for r in moved.records)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.flac")) == sorted(r.path for r in moved.records)


def test_a_package_that_cannot_be_fetched_is_reported_and_the_rest_is_kept(
    tmp_path: Path, debs: dict[str, Path]
) -> None:
    def fetch(package: str, _folder: Path) -> Path:
        if package == "fake-b":
            raise RuntimeError("apt-get download fake-b failed: E: Unable to locate package fake-b")
        return debs[package]

    pieces = [p for p in _pieces() if p.key != "alpha-four"]
    outcome = build(tmp_path / "c", pieces, fetch=fetch, say=lambda _: None)
    assert outcome.failures == ["fake-b: apt-get download fake-b failed: E: Unable to locate package fake-b"]
    assert sorted(r.key for r in outcome.records) == ["alpha-one", "alpha-three", "alpha-two"]


def test_a_corrupt_package_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "fake-a_1_all.deb"
    bad.write_bytes(b"not a deb")
    outcome = build(tmp_path / "c", _pieces()[:2], fetch=lambda _p, _f: bad, say=lambda _: None)
    assert outcome.failures == ["fake-a: not a Debian package (no ar archive header)"]
    assert outcome.records == []


def test_the_script_refuses_a_destination_inside_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    inside = Path(corpus.__file__).resolve().parent / "corpus-out"
    assert corpus.main([str(inside)]) == 2
    assert "inside the repository" in capsys.readouterr().out
    assert not inside.exists()


def test_the_table_has_unique_keys_and_only_permitted_licences() -> None:
    keys = [p.key for p in corpus.PIECES]
    assert len(keys) == len(set(keys))
    assert all(p.licence.startswith(("CC-BY-3.0", "public domain")) for p in corpus.PIECES)
    assert all(p.package in corpus.PACKAGES for p in corpus.PIECES)
    assert len({p.style for p in corpus.PIECES}) >= 2
    assert sum(p.seconds for p in corpus.PIECES) >= 3600
    assert replace(corpus.PIECES[0], seconds=1.0).key == corpus.PIECES[0].key
