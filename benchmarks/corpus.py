"""A real-music benchmark corpus: 2.2 hours of CC-BY-3.0 and public-domain soundtracks, fetched from Debian's packages.

    python benchmarks/corpus.py [DEST] [--keep-downloads]

Writes, into DEST (default: the user's cache folder, `.../inspiration/corpus`; never inside this repository):

    DEST/train/<style>/<work>-<piece>.flac   about 85 % of each style's duration, whole pieces
    DEST/test/<style>/<work>-<piece>.flac    the other 15 %: held-out pieces, never heard in training
    DEST/SOURCES.md                          per piece: source package, path in it, author, licence, duration
    DEST/pieces.json                         the same, for scripts

Each piece is the composer's own recording as the game ships it, decoded, mixed to mono and resampled to 16 kHz
(soxr), written as 16-bit FLAC at its own level (a piece whose decoded peak passes full scale is lowered just below
it; SOURCES.md gives the gain). The split is by piece, deterministic, and the same on every machine.

Idempotent: a piece whose FLAC is there is skipped, and a package whose pieces are all there is not downloaded.
Whatever failed (a package, a piece) is listed at the end, and the exit status is then 1; what did succeed stays.

Needs Debian's `apt-get` (its package lists updated once with `apt-get update`): `apt-get download` fetches the
three packages below (about 0.7 GB, deleted after use unless --keep-downloads) without installing anything. The
.deb files are read here with the standard library; decoding uses soundfile (libsndfile), resampling soxr.

See benchmarks/corpus.md for the sources, their licences and the split.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

RATE = 16000
TEST_FRACTION = 0.15
#: A decoded peak above this is lowered to it before the 16-bit write.
PEAK_CEILING = 0.999

CC_BY_3 = "CC-BY-3.0"
PUBLIC_DOMAIN = "public domain"


@dataclass(frozen=True)
class Piece:
    """One piece of music: where it is in which Debian package, who made it, under which licence, its style."""

    work: str  # the soundtrack's short name, used in file names
    package: str  # Debian binary package
    member: str  # path inside the package; "a.pk3!music/b.ogg" is a member of a zip inside the package
    title: str
    author: str
    licence: str
    style: str
    seconds: float  # nominal duration (from the file's header): the split is decided before anything is fetched

    @property
    def key(self) -> str:
        """The piece's file stem, unique in the corpus: `<work>-<piece>`."""
        stem = Path(self.member.split("!")[-1]).stem
        return f"{self.work}-{re.sub(r'[^a-z0-9_]+', '', stem.lower())}"


def _naev(stem: str, title: str, seconds: float, author: str = "Nikola Whallon") -> Piece:
    licence = CC_BY_3 if author != "Nikola Whallon" else f"{CC_BY_3} (offered as GPL-3 or CC-BY-3.0; used under CC-BY)"
    return Piece(
        "naev", "naev-data", f"usr/share/naev/dat/snd/music/{stem}.ogg", title, author, licence, "electronic", seconds
    )


def _openclonk(stem: str, title: str, seconds: float) -> Piece:
    member = f"usr/share/games/openclonk/Music.ocg/{stem}.ogg"
    return Piece("openclonk", "openclonk-data", member, title, "K-Pone", CC_BY_3, "electronic", seconds)


def _ufoai(stem: str, title: str, seconds: float, author: str, licence: str = CC_BY_3) -> Piece:
    member = f"usr/share/games/ufoai/base/0music.pk3!music/{stem}.ogg"
    return Piece("ufoai", "ufoai-music", member, title, author, licence, "orchestral", seconds)


_DAVID = "David Reeves (Destructavator)"
_MARINO = 'Manuel "Vanethian" Marino'
_GOLGOTHA = "Independent.nu (for the game Golgotha)"

#: Every piece of the corpus. Licences as the packages' copyright files state them; see benchmarks/corpus.md.
PIECES: tuple[Piece, ...] = (
    _naev("ambient1", "Ambient 1", 64.0),
    _naev("ambient2", "Ambient 2", 74.0),
    _naev("ambient2_5", "Ambient 2.5", 76.1),
    _naev("ambient3", "Ambient 3", 72.0),
    _naev("automat", "Automat", 140.0),
    _naev("battlesomething1", "Battle Something 1", 195.2),
    _naev("battlesomething2", "Battle Something 2", 136.0),
    _naev("collective1", "Collective 1", 82.0),
    _naev("collective2", "Collective 2", 80.0),
    _naev("empire1", "Empire 1", 162.0),
    _naev("empire2", "Empire 2", 145.0),
    _naev("flf_battle1", "FLF Battle 1", 148.8),
    _naev("intrigue", "Intrigue", 60.0),
    _naev("intro", "Intro", 154.0),
    _naev("landing_sinister", "Landing (Sinister)", 18.0),
    _naev("nebu_battle1", "Nebula Battle 1", 142.0),
    _naev("nebu_battle2", "Nebula Battle 2", 178.0),
    _naev("sirius1", "Sirius 1", 126.0),
    _naev("tension", "Tension", 32.0),
    _naev("upbeat", "Upbeat", 116.0),
    _naev("zalek1", "Za'lek 1", 190.0),
    _naev("zalek2", "Za'lek 2", 164.1),
    _naev("ambiphonic", "Ambiphonic", 213.3, author="Zeropage"),
    _naev("void_sensor", "Void Sensor", 183.4, author="Zeropage"),
    _openclonk("@CrushedIceCocktail", "Crushed Ice Cocktail", 125.9),
    _openclonk("IslandDreams", "Island Dreams", 197.3),
    _openclonk("LucidDream", "Lucid Dream", 210.5),
    _openclonk("Motorway", "Motorway", 195.7),
    _openclonk("Offshore", "Offshore", 189.2),
    _openclonk("TheSkylands", "The Skylands", 209.0),
    _openclonk("UrbanBolero", "Urban Bolero", 228.6),
    _ufoai("David01", "David 01", 161.1, _DAVID),
    _ufoai("David02", "David 02", 258.0, _DAVID),
    _ufoai("David03", "David 03", 162.5, _DAVID),
    _ufoai("David04", "David 04", 172.1, _DAVID),
    _ufoai("David05", "David 05", 156.8, _DAVID),
    _ufoai("azrael1", "Azrael 1", 221.7, "azrael1322"),
    _ufoai("karlmacklin_geoscape", "Geoscape", 267.2, "Karl Macklin"),
    _ufoai("van_geoscape", "Geoscape", 264.6, _MARINO),
    _ufoai("van_mission", "Mission", 249.4, _MARINO),
    _ufoai("van_mission2", "Mission 2", 293.4, _MARINO),
    _ufoai("van_mission3", "Mission 3", 346.2, _MARINO),
    _ufoai("van_mission4", "Mission 4", 315.4, _MARINO),
    _ufoai("van_theme", "Theme", 184.6, _MARINO),
    _ufoai("alBasrahM", "Al Basrah", 210.1, _GOLGOTHA, PUBLIC_DOMAIN),
    _ufoai("greecei", "Greece", 140.4, _GOLGOTHA, PUBLIC_DOMAIN),
    _ufoai("turinItalyM", "Turin", 200.6, _GOLGOTHA, PUBLIC_DOMAIN),
)

#: What each source package is, for SOURCES.md.
PACKAGES = {
    "naev-data": "Naev (2D space trading and combat game), Debian package naev-data",
    "openclonk-data": "OpenClonk (action/strategy game), Debian package openclonk-data",
    "ufoai-music": "UFO: Alien Invasion (strategy game), Debian package ufoai-music",
}


# ---------------------------------------------------------------------------------------------------------- the split


def split(pieces: Sequence[Piece], test_fraction: float = TEST_FRACTION) -> dict[str, str]:
    """Each piece's split, "train" or "test", by whole pieces and deterministic.

    Per soundtrack (so that every composer set is heard in the test), pieces are taken in a fixed pseudo-random order
    (a hash of the key); a piece goes to test when that brings test's share of the soundtrack's duration nearer to
    `test_fraction`. A soundtrack of two or more pieces always has at least one in each split; a single piece is train.
    """
    result: dict[str, str] = {}
    for work in sorted({p.work for p in pieces}):
        members = sorted((p for p in pieces if p.work == work), key=lambda p: hashlib.sha256(p.key.encode()).digest())
        target = test_fraction * sum(p.seconds for p in members)
        chosen: list[Piece] = []
        held = 0.0
        for piece in members:
            if abs(held + piece.seconds - target) < abs(held - target):
                chosen.append(piece)
                held += piece.seconds
        if not chosen and len(members) > 1:
            chosen = [members[0]]
        if len(chosen) == len(members):
            chosen.pop()
        for piece in members:
            result[piece.key] = "test" if piece in chosen else "train"
    return result


def piece_path(dest: Path, piece: Piece, which: str) -> Path:
    return dest / which / piece.style / f"{piece.key}.flac"


# ------------------------------------------------------------------------------------------------ reading a .deb file


class _Window(io.RawIOBase):
    """`size` bytes of an open file from its current position: a member of an ar archive, read as a stream."""

    def __init__(self, handle: io.BufferedReader, size: int) -> None:
        self._handle, self._left = handle, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._left)
        data = self._handle.read(count)
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def _ar_members(handle: io.BufferedReader) -> Iterator[tuple[str, int]]:
    """(name, size) of each member of an ar archive (a .deb), leaving the handle at the member's data."""
    if handle.read(8) != b"!<arch>\n":
        raise ValueError("not a Debian package (no ar archive header)")
    while header := handle.read(60):
        if len(header) < 60:
            raise ValueError("truncated Debian package")
        name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58].decode().strip())
        start = handle.tell()
        yield name, size
        handle.seek(start + size + (size % 2))


def extract_members(deb: Path, members: Iterable[str], into: Path) -> dict[str, Path]:
    """Copy the named files out of a .deb's data archive into `into`; returns member -> extracted path (those found)."""
    wanted = {m.removeprefix("./") for m in members}
    found: dict[str, Path] = {}
    with deb.open("rb") as handle:
        for name, size in _ar_members(handle):
            if not name.startswith("data.tar"):
                continue
            stream = io.BufferedReader(_Window(handle, size), buffer_size=1 << 20)
            with tarfile.open(fileobj=stream, mode="r|*") as tar:
                for info in tar:
                    path = info.name.removeprefix("./")
                    if path in wanted and info.isfile():
                        source = tar.extractfile(info)
                        assert source is not None
                        target = into / path
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with target.open("wb") as out:
                            shutil.copyfileobj(source, out, 1 << 20)
                        found[path] = target
            break
        else:
            raise ValueError(f"{deb.name}: no data archive inside")
    return found


def extract_pieces(deb: Path, pieces: Sequence[Piece], into: Path) -> dict[str, Path]:
    """Extract the pieces' audio files from `deb` (through a zip inside it where the member says so): key -> path."""
    outer = {p.member.split("!")[0] for p in pieces}
    files = extract_members(deb, outer, into)
    result: dict[str, Path] = {}
    for piece in pieces:
        container, _, inner = piece.member.partition("!")
        path = files.get(container)
        if path is None:
            continue
        if not inner:
            result[piece.key] = path
            continue
        with zipfile.ZipFile(path) as archive:
            if inner in archive.namelist():
                target = into / "inner" / piece.key / Path(inner).name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(inner) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                result[piece.key] = target
    return result


# -------------------------------------------------------------------------------------------------- fetching packages


def apt_download(package: str, folder: Path) -> Path:
    """`apt-get download PACKAGE` into `folder` (reusing a .deb already there); the path of the .deb."""
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob(f"{package}_*.deb"))
    if existing:
        return existing[-1]
    if shutil.which("apt-get") is None:
        raise RuntimeError("apt-get not found: this script fetches Debian packages and needs Debian's apt")
    run = subprocess.run(
        ["apt-get", "download", "-q", package], cwd=folder, capture_output=True, text=True, check=False
    )
    debs = sorted(folder.glob(f"{package}_*.deb"))
    if run.returncode != 0 or not debs:
        said = (run.stderr.strip().splitlines() or ["no .deb file appeared"])[-1]
        unknown = "Unable to locate" in said or "no installation candidate" in said
        hint = " (run 'apt-get update' first?)" if unknown else ""
        raise RuntimeError(f"apt-get download {package} failed: {said}{hint}")
    return debs[-1]


def package_version(deb: Path) -> str:
    """The version in a .deb's file name (`name_version_arch.deb`, with ':' written as %3a)."""
    parts = deb.stem.split("_")
    return parts[1].replace("%3a", ":") if len(parts) >= 3 else "?"


# --------------------------------------------------------------------------------------------------------- converting


@dataclass
class Record:
    """One piece as it is in the corpus: what SOURCES.md and pieces.json say about it."""

    key: str
    split: str
    style: str
    path: str  # relative to DEST
    title: str
    work: str
    author: str
    licence: str
    package: str
    version: str
    member: str
    seconds: float
    rms_db: float
    peak: float
    gain_db: float = 0.0


def convert(source: Path, target: Path) -> tuple[float, float, float, float]:
    """Decode `source`, mix to mono, resample to 16 kHz, write 16-bit FLAC; (seconds, rms dBFS, peak, gain dB)."""
    from inspiration.engine.audio.files import read_mono, write_audio

    audio = read_mono(source, RATE)
    if len(audio) < RATE:
        raise ValueError(f"{source.name}: shorter than a second ({len(audio)} samples)")
    peak = float(np.max(np.abs(audio)))
    gain = PEAK_CEILING / peak if peak > PEAK_CEILING else 1.0
    audio = (audio * gain).astype(np.float32)
    write_audio(target, audio, RATE, subtype="PCM_16", format="FLAC")
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return len(audio) / RATE, 20 * math.log10(max(rms, 1e-10)), peak * gain, 20 * math.log10(gain)


# ------------------------------------------------------------------------------------------------------------ the run


Fetch = Callable[[str, Path], Path]


@dataclass
class Outcome:
    records: list[Record] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    made: int = 0
    skipped: int = 0


def build(
    dest: Path,
    pieces: Sequence[Piece] = PIECES,
    fetch: Fetch = apt_download,
    keep_downloads: bool = False,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Fetch, convert and split `pieces` into `dest`; write SOURCES.md and pieces.json. Skips what is already there."""
    dest.mkdir(parents=True, exist_ok=True)
    which = split(pieces, TEST_FRACTION)
    known = {r["key"]: r for r in _read_manifest(dest)}
    outcome = Outcome()
    by_package: dict[str, list[Piece]] = {}
    for piece in pieces:
        by_package.setdefault(piece.package, []).append(piece)
    for piece in pieces:
        _move_to_split(dest, piece, which[piece.key], known)
    for package, members in by_package.items():
        missing = [p for p in members if not _have(dest, p, which[p.key], known)]
        outcome.skipped += len(members) - len(missing)
        if missing:
            say(f"{package}: fetching {len(missing)} piece(s)")
            _fetch_package(dest, package, missing, which, known, outcome, fetch, keep_downloads, say)
        outcome.records += [Record(**known[p.key]) for p in members if _have(dest, p, which[p.key], known)]
    downloads = dest / ".downloads"
    if not keep_downloads and downloads.is_dir() and not any(downloads.iterdir()):
        downloads.rmdir()
    _write_outputs(dest, outcome.records, outcome.failures)
    return outcome


def _fetch_package(
    dest: Path,
    package: str,
    pieces: Sequence[Piece],
    which: dict[str, str],
    known: dict[str, dict],
    outcome: Outcome,
    fetch: Fetch,
    keep_downloads: bool,
    say: Callable[[str], None],
) -> None:
    """Download one package, convert its missing pieces into `dest`, note each in `known` or in the failures."""
    downloads = dest / ".downloads"
    try:
        try:
            deb = fetch(package, downloads)
            files = extract_pieces(deb, pieces, downloads / package)
        except (OSError, RuntimeError, ValueError, tarfile.TarError, zipfile.BadZipFile) as exc:
            outcome.failures.append(f"{package}: {exc}")
            return
        for piece in pieces:
            source = files.get(piece.key)
            if source is None:
                outcome.failures.append(f"{piece.key}: {piece.member} not found in {deb.name}")
                continue
            try:
                stats = convert(source, piece_path(dest, piece, which[piece.key]))
            except Exception as exc:  # any decode or write error is reported for this piece, and the run goes on
                outcome.failures.append(f"{piece.key}: {exc}")
                continue
            for other in ("train", "test"):
                if other != which[piece.key]:
                    piece_path(dest, piece, other).unlink(missing_ok=True)
            known[piece.key] = asdict(_record(dest, piece, which[piece.key], package_version(deb), stats))
            outcome.made += 1
            say(f"  {piece.key}: {stats[0]:.1f} s, RMS {stats[1]:.1f} dBFS, peak {stats[2]:.2f}")
    finally:
        if not keep_downloads:
            shutil.rmtree(downloads / package, ignore_errors=True)
            for leftover in downloads.glob(f"{package}_*.deb"):
                leftover.unlink()


def _move_to_split(dest: Path, piece: Piece, which: str, known: dict[str, dict]) -> None:
    """A piece converted earlier into the other split (the split's rule changed) is moved, not fetched again."""
    record = known.get(piece.key)
    if record is None or record["split"] == which:
        return
    old, new = piece_path(dest, piece, record["split"]), piece_path(dest, piece, which)
    if old.is_file():
        new.parent.mkdir(parents=True, exist_ok=True)
        old.replace(new)
        record.update(split=which, path=new.relative_to(dest).as_posix())


def _have(dest: Path, piece: Piece, which: str, known: dict[str, dict]) -> bool:
    return piece_path(dest, piece, which).is_file() and piece.key in known and known[piece.key]["split"] == which


def _record(dest: Path, piece: Piece, which: str, version: str, stats: tuple[float, float, float, float]) -> Record:
    seconds, rms_db, peak, gain_db = stats
    return Record(
        key=piece.key,
        split=which,
        style=piece.style,
        path=piece_path(dest, piece, which).relative_to(dest).as_posix(),
        title=piece.title,
        work=piece.work,
        author=piece.author,
        licence=piece.licence,
        package=piece.package,
        version=version,
        member=piece.member,
        seconds=round(seconds, 2),
        rms_db=round(rms_db, 1),
        peak=round(peak, 3),
        gain_db=round(gain_db, 2),
    )


def _read_manifest(dest: Path) -> list[dict]:
    path = dest / "pieces.json"
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [r for r in data.get("pieces", []) if isinstance(r, dict) and set(r) >= {"key", "split", "version"}]


def _write_outputs(dest: Path, records: list[Record], failures: list[str]) -> None:
    from inspiration.engine.atomic import write_json_atomic, write_text_atomic

    write_json_atomic(dest / "pieces.json", {"rate": RATE, "pieces": [asdict(r) for r in records]})
    write_text_atomic(dest / "SOURCES.md", sources_markdown(records, failures))


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h ({seconds / 60:.1f} min)"


def sources_markdown(records: Sequence[Record], failures: Sequence[str] = ()) -> str:
    """SOURCES.md: totals per style and split, then one row per piece with its source, author and licence."""
    lines = [
        "# Sources of this corpus",
        "",
        "Recordings from the soundtracks of free games, as Debian packages them; converted to 16 kHz mono 16-bit FLAC.",
        "Attribution for CC-BY-3.0 pieces: the author and title below, with the licence, "
        "https://creativecommons.org/licenses/by/3.0/ . Changes made: mixed to mono, resampled, and where the gain "
        "column is not 0, lowered in level.",
        "",
        "| style | train | test | pieces |",
        "| --- | --- | --- | --- |",
    ]
    for style in sorted({r.style for r in records}):
        train = sum(r.seconds for r in records if r.style == style and r.split == "train")
        test = sum(r.seconds for r in records if r.style == style and r.split == "test")
        count = sum(1 for r in records if r.style == style)
        lines.append(f"| {style} | {_hours(train)} | {_hours(test)} | {count} |")
    total = sum(r.seconds for r in records)
    lines += ["", f"Total: {_hours(total)} in {len(records)} pieces.", ""]
    for package, about in PACKAGES.items():
        versions = sorted({r.version for r in records if r.package == package})
        if versions:
            lines.append(f"- {about}, version {', '.join(versions)}")
    lines += [
        "",
        "| split | file | title | author | licence | source package: path | duration | RMS dBFS | gain dB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in sorted(records, key=lambda r: (r.split != "train", r.style, r.key)):
        lines.append(
            f"| {r.split} | {r.path} | {r.title} | {r.author} | {r.licence} | {r.package} {r.version}: {r.member} "
            f"| {r.seconds:.1f} s | {r.rms_db:.1f} | {r.gain_db:.2f} |"
        )
    if failures:
        lines += ["", "## Missing (the last run failed to fetch these)", ""] + [f"- {f}" for f in failures]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------- the CLI


def default_dest() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("inspiration", appauthor=False)) / "corpus"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", nargs="?", type=Path, help="where the corpus goes (default: %(default)s)")
    parser.add_argument("--keep-downloads", action="store_true", help="keep the .deb files in DEST/.downloads")
    args = parser.parse_args(argv)
    dest: Path = (args.dest or default_dest()).expanduser().resolve()
    repo = Path(__file__).resolve().parent.parent
    if dest == repo or repo in dest.parents:
        print(f"corpus: {dest} is inside the repository; the corpus is large and never committed: choose another")
        return 2
    outcome = build(dest, keep_downloads=args.keep_downloads)
    total = sum(r.seconds for r in outcome.records)
    test = sum(r.seconds for r in outcome.records if r.split == "test")
    print(
        f"corpus: {len(outcome.records)}/{len(PIECES)} pieces, {_hours(total)}, of which test {_hours(test)}; "
        f"{outcome.made} converted now, {outcome.skipped} already there; in {dest}"
    )
    for failure in outcome.failures:
        print(f"FAILED: {failure}")
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
