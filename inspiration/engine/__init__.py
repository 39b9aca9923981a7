"""The engine: everything Inspiration does, usable from Python and the CLI without Qt.

Packages by pipeline stage, lowest layer first; a package imports only from the layers below it (and the shared
plumbing at the top: `errors`, `atomic`, `limits`, `places`, `settings`, `timefmt`). `tests/test_boundaries.py`
enforces this.

    audio, curves                 files, quantisation, loudness, noise reduction, waveforms; temperature curves
    model, library, composition   SampleRNN and its files; the clip library; projects, mixing and export
    lineage                       which passages of a model's training audio a clip echoes (numpy, no torch)
    generation                    clips from a model: the clip stream, generation jobs, live sessions
    training                      the trainer, evaluation, training runs

torch is imported only by `model`, `generation` and `training`, and not by all of their modules: the model's config,
presets, folder, catalog and weights-file headers are torch-free, so the app can list models without loading torch.
"""
