"""Model summaries for pickers: read from config.json and checkpoint headers of trained and untrained folders."""

import shutil

from inspiration.engine.model.catalog import find_models, summarize


def test_trained_models_are_found_and_described(tiny_model_root, tmp_path):
    shutil.copytree(tiny_model_root / "models" / "tiny", tmp_path / "models" / "tiny")  # the session's, trained 3 steps
    (tmp_path / "models" / "broken").mkdir()
    (tmp_path / "models" / "broken" / "config.json").write_text("{")
    (tmp_path / "models" / "not-a-model").mkdir()
    models, problems = find_models([tmp_path / "models", tmp_path / "models" / "tiny"])
    assert [m.name for m in models] == ["tiny"]
    tiny = models[0]
    assert tiny.steps == 3 and tiny.target_steps == 3 and tiny.finished and tiny.has_weights and tiny.resumable
    assert tiny.sample_rate == 16000 and tiny.tiers >= 2
    assert tiny.describe().startswith("tiny · ") and "step 3" in tiny.describe()
    assert len(problems) == 1 and problems[0][0].name == "broken"
    assert summarize(tmp_path / "models" / "tiny") == tiny


def test_a_damaged_resume_file_does_not_hide_good_weights(tiny_model_root, tmp_path):
    copy = tmp_path / "tiny"
    shutil.copytree(tiny_model_root / "models" / "tiny", copy)
    (copy / "train_state.safetensors").write_bytes(b"")
    summary = summarize(copy)
    assert summary.steps == 3 and summary.has_weights


def test_a_weights_file_names_its_model_after_its_folder(tiny_model_root):
    from inspiration.engine.model.folder import model_name

    folder = tiny_model_root / "models" / "tiny"
    assert model_name(folder) == "tiny" and model_name(folder / "last.safetensors") == "tiny"
