"""A solo-piano corpus: a real grand piano's recorded notes, playing pieces written out by this script.

    python benchmarks/piano.py [DEST] [--minutes 36]

No permissively licensed recording of a solo instrument is in the registries these machines reach (see
benchmarks/corpus.md), but recordings of every note of one are: the Salamander Grand Piano V3 (a Yamaha C5 recorded
by Alexander Holm, CC-BY-3.0), one npm package per velocity layer (`@audio-samples/piano-velocityN`). This script
fetches five layers with `npm pack` and plays them, note by note, with a sustain pedal and dampers:

- an encoding, written for this project, of J. S. Bach's Prelude in C major, BWV 846 (the composition is in the
  public domain);
- pieces composed here, deterministically from a seed: a key, a chord progression and one of five piano textures
  (broken chords, Alberti bass under a melody, a chorale, a waltz, a nocturne), phrased and shaded in dynamics.

Writes DEST/train/piano/*.flac and DEST/test/piano/*.flac (16 kHz mono 16-bit, each piece peak-normalised to
-1 dBFS; about 15 % of the pieces held out) and DEST/SOURCES.md. DEST defaults to the user's cache folder
(`.../inspiration/piano`); nothing is written inside the repository. Idempotent: a written piece is skipped.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
#: Velocity layers fetched (of the Salamander piano's 16), softest first; a note's dynamic picks one.
LAYERS = (4, 7, 10, 13, 16)
PEAK = 10 ** (-1 / 20)
#: Damper: how fast a released string dies, and how long it is heard at most after release (seconds).
DAMPING_S = 0.09
RELEASE_TAIL_S = 0.5
TEST_EVERY = 7  # every 7th composed piece (and not the prelude) is held out: about 15 %


@dataclass(frozen=True)
class Note:
    """One key press: start and release in seconds, MIDI pitch, dynamic 0..1 (soft to loud)."""

    start: float
    end: float
    pitch: int
    dynamic: float


# ---------------------------------------------------------------------------------------------------------- samples


def fetch_layers(folder: Path) -> dict[int, Path]:
    """`npm pack` each velocity layer into folder and unpack it; returns layer -> its audio folder."""
    found: dict[int, Path] = {}
    for layer in LAYERS:
        unpacked = folder / f"v{layer}"
        if not (unpacked / "package" / "audio").is_dir():
            unpacked.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["npm", "pack", f"@audio-samples/piano-velocity{layer}", "--pack-destination", str(unpacked)],
                check=True,
                capture_output=True,
                timeout=600,
            )
            (archive,) = unpacked.glob("*.tgz")
            with tarfile.open(archive) as tar:
                tar.extractall(unpacked, filter="data")
            archive.unlink()
        found[layer] = unpacked / "package" / "audio"
    return found


def sample_pitch(name: str) -> int:
    """MIDI pitch of a sample file stem such as `D#4v10` (C4 = 60)."""
    return midi(name.split("v")[0])


class Piano:
    """The sampled piano: each (pitch, layer) rendered once at RATE, mono, from the nearest recorded note."""

    def __init__(self, layers: dict[int, Path]) -> None:
        self._files = {
            layer: {sample_pitch(f.stem): f for f in sorted(audio.glob("*.ogg"))} for layer, audio in layers.items()
        }
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def tone(self, pitch: int, dynamic: float) -> np.ndarray:
        """The whole recorded note (attack to silence) for this pitch and dynamic, float32 at RATE."""
        layer = LAYERS[min(len(LAYERS) - 1, max(0, round(dynamic * (len(LAYERS) - 1))))]
        key = (pitch, layer)
        if key not in self._cache:
            import soundfile as sf
            import soxr

            files = self._files[layer]
            nearest = min(files, key=lambda p: abs(p - pitch))
            audio, rate = sf.read(files[nearest], dtype="float32", always_2d=True)
            mono = audio.mean(axis=1)
            shift = 2.0 ** ((pitch - nearest) / 12)  # played faster by this ratio: higher by pitch - nearest
            self._cache[key] = soxr.resample(mono, rate * shift, RATE).astype(np.float32)
        return self._cache[key]


def render(notes: Sequence[Note], piano: Piano) -> np.ndarray:
    """Play notes on the piano: each rings until its release, then its damper stops it. Peak -1 dBFS."""
    length = int((max(n.end for n in notes) + RELEASE_TAIL_S + 1.5) * RATE)
    out = np.zeros(length, np.float32)
    tail = int(RELEASE_TAIL_S * RATE)
    for note in notes:
        tone = piano.tone(note.pitch, note.dynamic)
        start = int(note.start * RATE)
        held = max(1, int((note.end - note.start) * RATE))
        sound = tone[: held + tail].copy()
        if len(sound) > held:
            sound[held:] *= np.exp(-np.arange(len(sound) - held, dtype=np.float32) / (DAMPING_S * RATE))
        stop = min(length, start + len(sound))
        out[start:stop] += sound[: stop - start]
    last = np.nonzero(np.abs(out) > 1e-4)[0]
    out = out[: int(last[-1]) + 1 + RATE // 2] if len(last) else out
    return (out * (PEAK / max(float(np.abs(out).max()), 1e-9))).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------- music

#: Bach, Prelude in C major BWV 846: the five pitches of each bar (C4 = 60), bars 1 to 32.
PRELUDE_BARS = (
    "C4 E4 G4 C5 E5", "C4 D4 A4 D5 F5", "B3 D4 G4 D5 F5", "C4 E4 G4 C5 E5",
    "C4 E4 A4 E5 A5", "C4 D4 F#4 A4 D5", "B3 D4 G4 D5 G5", "B3 C4 E4 G4 C5",
    "A3 C4 E4 G4 C5", "D3 A3 D4 F#4 C5", "G3 B3 D4 G4 B4", "G3 A#3 E4 G4 C#5",
    "F3 A3 D4 A4 D5", "F3 G#3 D4 F4 B4", "E3 G3 C4 G4 C5", "E3 F3 A3 C4 F4",
    "D3 F3 A3 C4 F4", "G2 D3 G3 B3 F4", "C3 E3 G3 C4 E4", "C3 G3 A#3 C4 E4",
    "F2 F3 A3 C4 E4", "F#2 C3 A3 C4 D#4", "G#2 F3 B3 C4 D4", "G2 F3 G3 B3 D4",
    "G2 E3 G3 C4 E4", "G2 D3 G3 C4 F4", "G2 D3 G3 B3 F4", "G2 D#3 A3 C4 F#4",
    "G2 E3 G3 C4 G4", "G2 D3 G3 C4 F4", "G2 D3 G3 B3 F4", "C2 C3 G3 A#3 E4",
)  # fmt: skip
NOTE_NAMES = {"C": 0, "C#": 1, "D": 2, "D#": 3, "E": 4, "F": 5, "F#": 6, "G": 7, "G#": 8, "A": 9, "A#": 10, "B": 11}


def midi(name: str) -> int:
    """MIDI pitch of a note name such as `F#4`."""
    return 12 * (int(name[-1]) + 1) + NOTE_NAMES[name[:-1]]


def bach_prelude(tempo_bpm: float = 66.0) -> list[Note]:
    """BWV 846 as written: each bar's five pitches broken twice (p1 p2 p3 p4 p5 p3 p4 p5), the lower two held."""
    sixteenth = 60.0 / tempo_bpm / 4
    notes: list[Note] = []
    t = 0.0
    for bar, names in enumerate(PRELUDE_BARS):
        p = [midi(n) for n in names.split()]
        swell = 0.45 + 0.25 * np.sin(np.pi * bar / len(PRELUDE_BARS)) ** 2
        for half in range(2):
            h = t + half * 8 * sixteenth
            notes.append(Note(h, h + 8 * sixteenth, p[0], swell))
            notes.append(Note(h + sixteenth, h + 8 * sixteenth, p[1], swell - 0.05))
            for i, k in enumerate((2, 3, 4, 2, 3, 4)):
                s = h + (2 + i) * sixteenth
                notes.append(Note(s, h + 8 * sixteenth, p[k], swell + (0.05 if i in (0, 3) else 0.0)))
        t += 16 * sixteenth
    # bars 33-35: the pedal-point flourish and the final chord
    run = ["C2", "C3", "F3", "A3", "C4", "F4", "C4", "A3", "C4", "A3", "F3", "A3", "F3", "D3", "F3", "D3"]
    run += ["C2", "B2", "G4", "B4", "D5", "F5", "D5", "B4", "D5", "B4", "G4", "B4", "D4", "F4", "E4", "D4"]
    for i, name in enumerate(run):
        held_to = t + (16 if i < 16 else 32) * sixteenth if i in (0, 1, 16, 17) else t + (i + 1) * sixteenth
        notes.append(Note(t + i * sixteenth, held_to, midi(name), 0.55))
    end = t + 32 * sixteenth
    for name in ("C2", "C3", "E4", "G4", "C5"):
        notes.append(Note(end, end + 6 * sixteenth * 4, midi(name), 0.5))
    return notes


MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
#: Chord progressions as scale degrees (0 = tonic), four bars each.
PROGRESSIONS = {
    MAJOR: ((0, 4, 5, 3), (0, 5, 3, 4), (1, 4, 0, 0), (0, 3, 4, 0), (5, 3, 0, 4), (0, 2, 3, 4), (5, 1, 4, 0)),
    MINOR: ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 4), (0, 3, 6, 2), (5, 3, 0, 4)),
}
TEXTURES = ("broken", "alberti", "chorale", "waltz", "nocturne")


def chord(scale: Sequence[int], tonic: int, degree: int, size: int = 3) -> list[int]:
    """The triad (or seventh, size 4) on a scale degree, as pitches above the tonic's; the minor's V is major."""
    notes = []
    for k in range(size):
        step = degree + 2 * k
        notes.append(tonic + scale[step % 7] + 12 * (step // 7))
    if scale is MINOR and degree == 4:
        notes[1] += 1  # the leading tone
    return notes


def compose(seed: int) -> tuple[str, list[Note]]:
    """A piece from a seed: a title and its notes (about a minute to a minute and a half)."""
    rng = np.random.default_rng(seed)
    scale = MAJOR if rng.random() < 0.6 else MINOR
    tonic = 48 + int(rng.integers(0, 12))  # C3..B3
    texture = TEXTURES[seed % len(TEXTURES)]
    meter = 3 if texture == "waltz" else 4
    beat = 60.0 / float(rng.uniform(58, 96) if texture != "chorale" else rng.uniform(50, 70))
    base = float(rng.uniform(0.3, 0.6))
    progressions = PROGRESSIONS[scale]
    phrases = [progressions[int(i)] for i in rng.integers(0, len(progressions), size=int(rng.integers(5, 8)))]
    phrases.append(phrases[0][:3] + (0,))  # end at home
    notes: list[Note] = []
    melody = tonic + 12 + scale[int(rng.integers(0, 3)) * 2]
    t = 0.0
    bar_len = meter * beat
    bars = [degree for phrase in phrases for degree in phrase]
    for b, degree in enumerate(bars):
        tones = chord(scale, tonic, degree, 4 if rng.random() < 0.25 else 3)
        phrase_pos = (b % 4) / 4
        dyn = float(np.clip(base + 0.2 * np.sin(np.pi * phrase_pos) + rng.normal(0, 0.04), 0.05, 0.95))
        bass = tones[0] - 12
        bar_end = t + bar_len
        last_bar = b == len(bars) - 1
        if texture == "broken":
            pattern = [tones[0] - 12, tones[1], tones[2], tones[-1] + (12 if len(tones) == 3 else 0)]
            pattern += pattern[1:]  # 16 sixteenths per bar
            for i in range(4 * meter):
                p = pattern[i % len(pattern)] + (12 if i % 8 >= 4 else 0)
                notes.append(Note(t + i * beat / 4, bar_end, p, dyn - 0.05 + 0.08 * (i % 4 == 0)))
        elif texture == "alberti":
            low, mid, high = tones[0] - 12, tones[1] - 12, tones[2] - 12
            for i in range(2 * meter):
                p = (low, high, mid, high)[i % 4]
                notes.append(Note(t + i * beat / 2, t + (i + 1) * beat / 2 + 0.05, p, dyn - 0.15))
        elif texture == "chorale":
            voicing = [bass, tones[1], tones[2], tones[0] + 12]
            for half in range(2):
                s = t + half * bar_len / 2
                for p in voicing:
                    notes.append(Note(s, s + bar_len / 2 - 0.03, p, dyn))
        elif texture == "waltz":
            notes.append(Note(t, bar_end, bass, dyn - 0.05))
            for i in (1, 2):
                for p in tones:
                    notes.append(Note(t + i * beat, t + (i + 0.6) * beat, p, dyn - 0.2))
        else:  # nocturne: a wide left-hand arpeggio in eighths, pedalled through the bar
            spread = [bass, tones[0], tones[2], tones[1] + 12, tones[2], tones[0]]
            for i in range(2 * meter):
                notes.append(Note(t + i * beat / 2, bar_end, spread[i % len(spread)], dyn - 0.15))
        if texture != "broken" and texture != "chorale":
            notes.extend(_melody(rng, scale, tonic, tones, t, beat, meter, dyn + 0.1, last_bar, melody))
            melody = notes[-1].pitch
        t = bar_end
        if last_bar:
            for p in (bass, *tones):
                notes.append(Note(t, t + 3 * beat, p, base))
    key_name = [k for k, v in NOTE_NAMES.items() if v == tonic % 12][0]
    title = f"{texture} in {key_name} {'major' if scale is MAJOR else 'minor'}"
    return title, notes


def _melody(
    rng: np.random.Generator,
    scale: Sequence[int],
    tonic: int,
    tones: Sequence[int],
    t: float,
    beat: float,
    meter: int,
    dyn: float,
    last_bar: bool,
    previous: int,
) -> list[Note]:
    """One bar of right-hand melody: chord tones on the beats, steps of the scale between, within two octaves."""
    rhythms = {4: ((1, 1, 1, 1), (2, 1, 1), (1.5, 0.5, 2), (1, 0.5, 0.5, 2), (4,)), 3: ((1, 1, 1), (2, 1), (3,))}
    rhythm = (meter,) if last_bar else rhythms[meter][int(rng.integers(0, len(rhythms[meter])))]
    pitches_in_scale = [tonic + 12 + o + s for o in (0, 12) for s in scale]
    chord_tones = [p for p in pitches_in_scale if (p - tones[0]) % 12 in {(q - tones[0]) % 12 for q in tones}]
    out, pos, p = [], 0.0, previous
    for length in rhythm:
        if pos == int(pos) or last_bar:  # on a beat: the nearest chord tone
            p = min(chord_tones, key=lambda c: abs(c - p) + rng.random() * 4)
        else:
            i = min(range(len(pitches_in_scale)), key=lambda k: abs(pitches_in_scale[k] - p))
            i = int(np.clip(i + rng.choice((-1, 1)), 0, len(pitches_in_scale) - 1))
            p = pitches_in_scale[i]
        out.append(Note(t + pos * beat, t + (pos + length) * beat, p, dyn + (0.06 if pos == 0 else 0.0)))
        pos += length
    return out


def pieces(minutes: float) -> Iterator[tuple[str, str, str, list[Note]]]:
    """(file stem, title, which split, notes): the prelude, then composed pieces until about `minutes` of music."""
    yield "bach-prelude-c-bwv846", "J. S. Bach, Prelude in C major, BWV 846", "train", bach_prelude()
    total, seed = 0.0, 0
    while total < minutes * 60:
        title, notes = compose(seed)
        which = "test" if seed % TEST_EVERY == TEST_EVERY - 1 else "train"
        yield f"etude-{seed:02d}", f"Study {seed}: {title}", which, notes
        total += max(n.end for n in notes)
        seed += 1


SOURCES_HEAD = """# Sources: the solo-piano corpus

Written by `benchmarks/piano.py`. The sound is the **Salamander Grand Piano V3** by Alexander Holm (a Yamaha C5,
recorded note by note; CC-BY-3.0, https://archive.org/details/SalamanderGrandPianoV3), as packaged on npm by Jan
Forst (`@audio-samples/piano-velocity{4,7,10,13,16}`). Changes: mixed to mono, resampled to 16 kHz, pitch-shifted by
up to a semitone to the notes between recorded ones, cut by a damper model at each note's release, and mixed into the
pieces below, each peak-normalised to -1 dBFS.

The prelude is an encoding of J. S. Bach's Prelude in C major BWV 846 (public domain) written for this project; the
studies are composed by the script from their seeds. Both, and the renderings, are dedicated to the public domain
(CC0 1.0); the piano's sound stays under CC-BY-3.0: credit Alexander Holm when you use it.

| split | file | piece | duration |
| --- | --- | --- | --- |
"""


def build(dest: Path, minutes: float, piano: Callable[[], Piano]) -> list[str]:
    """Write the corpus into dest (pieces already there are kept) and its SOURCES.md; the table's rows.
    `piano()` makes the instrument, called only if a piece is still to be rendered."""
    import soundfile as sf

    rows = []
    instrument: Piano | None = None
    for stem, title, which, notes in pieces(minutes):
        path = dest / which / "piano" / f"{stem}.flac"
        if not path.exists():
            instrument = instrument or piano()
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{stem}.partial.flac")
            sf.write(partial, render(notes, instrument), RATE, subtype="PCM_16")
            partial.replace(path)
        rows.append(f"| {which} | {which}/piano/{path.name} | {title} | {sf.info(path).duration:.1f} s |")
        print(rows[-1], flush=True)
    (dest / "SOURCES.md").write_text(SOURCES_HEAD + "\n".join(rows) + "\n")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, help="where the corpus goes (default: the user's cache folder)")
    parser.add_argument("--minutes", type=float, default=36.0, help="minutes of composed studies (default 36)")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 600:
        print("piano: --minutes must be above 0 and at most 600", file=sys.stderr)
        return 2
    import platformdirs

    dest: Path = args.dest or Path(platformdirs.user_cache_dir("inspiration")) / "piano"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            build(dest, args.minutes, lambda: Piano(fetch_layers(Path(tmp))))
        except (OSError, subprocess.SubprocessError) as error:
            print(f"piano: could not fetch the piano's samples with npm: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
