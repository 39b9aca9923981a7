"""Lineage: which passages of a model's training audio a clip echoes, and how new a clip is.

`features` turns audio into frames of chroma and MFCCs (numpy FFT, no other dependency); `index` builds, stores and
loads a compact index of a model folder's training audio (read from its dataset by `training_audio`); `space` makes
an index searchable; `query` finds, for a clip, the matching spans of training audio and the clip's novelty; `clips`
applies it to audio files and library records.

Imports: `audio`, `library`, the torch-free `model` modules (`model.folder`, `model.config`) and the shared plumbing.
Never `generation` or `training`: they call lineage (the trainer indexes a model's audio, generation jobs record each
clip's novelty). No torch.
"""
