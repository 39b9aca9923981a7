"""packaging/make_starter.py keeps no machine's folders in the starter's config."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "make_starter.py"


def _make_starter():
    spec = importlib.util.spec_from_file_location("make_starter", SCRIPT)  # `packaging` is also pip's package
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_packaged_config_names_sources_and_start_weights_without_machine_folders(tmp_path):
    corpus = tmp_path / "corpus"
    config = {
        "name": "piano3",
        "sources": [str(corpus / "train" / "piano")],
        "data": {"files": [{"path": str(corpus / "train" / "piano" / "a.flac")}], "skipped": []},
        "start": {"source": str(tmp_path / "models" / "piano2" / "best.safetensors"), "step": 8500},
    }
    packaged = _make_starter().relative_sources(config, corpus)
    assert packaged["name"] == "starter" and packaged["sources"] == ["train/piano"]
    assert packaged["data"]["files"][0]["path"] == "train/piano/a.flac"
    assert packaged["start"] == {"source": "piano2/best.safetensors", "step": 8500}
    assert str(tmp_path) not in repr(packaged) and config["name"] == "piano3"  # the caller's dict is left alone
