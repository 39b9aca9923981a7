"""Training: TBPTT batches over a dataset (`audio.dataset`), the trainer with exact resume, its events and log,
evaluation in bits per sample, distributed training and the preparation of runs in a model folder.

Imports: `generation` (previews), `lineage` (indexing a trained model's audio), `model`, `audio` and the shared
plumbing. Uses torch, except in `batches`, `events` and `log`.
"""
