"""A log tail reads only new complete lines, keeps a partial last line and notices a rewritten log."""

import json
import os

from inspiration.engine.training.log import LogSeries, LogTail


def _line(record: dict) -> str:
    return json.dumps(record) + "\n"


def test_reads_new_lines_and_waits_for_a_partial_one(tmp_path):
    path = tmp_path / "train_log.jsonl"
    tail = LogTail(path)
    assert tail.read_new() == ([], False)  # no log yet
    first = _line({"step": 10, "elapsed": 1.0, "train_bits": 7.5})
    second = _line({"step": 10, "elapsed": 1.1, "val_bits": 7.4})
    path.write_text(first + second[:12])
    assert tail.read_new() == ([json.loads(first)], False)
    with open(path, "a") as handle:
        handle.write(second[12:] + "not json\n")
    assert tail.read_new() == ([json.loads(second)], False)
    assert tail.read_new() == ([], False)


def test_a_rewritten_log_is_read_again_from_its_start(tmp_path):
    path = tmp_path / "train_log.jsonl"
    path.write_text("".join(_line({"step": s, "elapsed": s / 10, "train_bits": 8 - s / 100}) for s in (10, 20, 30)))
    tail = LogTail(path)
    assert len(tail.read_new()[0]) == 3
    replacement = tmp_path / "new.jsonl"  # how a resumed trainer truncates: a new file moved over the old one
    replacement.write_text(_line({"step": 10, "elapsed": 1.0, "train_bits": 7.9}))
    os.replace(replacement, path)
    records, restarted = tail.read_new()
    assert restarted and [r["step"] for r in records] == [10]
    path.unlink()
    assert tail.read_new() == ([], True)


def test_series_split_training_and_validation_rows():
    series = LogSeries()
    series.add(
        [
            {"step": 10, "elapsed": 1.5, "train_bits": 7.5, "samples_per_second": 100.0},
            {"step": 10, "elapsed": 1.6, "val_bits": 7.25},
            {"step": 20, "note": "no bits"},
        ]
    )
    assert series.train == [(10, 1.5, 7.5)] and series.val == [(10, 1.6, 7.25)]
    assert series.last_step() == 10
