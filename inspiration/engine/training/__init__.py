"""Training: TBPTT batches over a dataset (`audio.dataset`), the trainer with exact resume, its learning-rate
schedule and weight average, its events and log, evaluation in bits per sample, distributed training and the
preparation of runs in a model folder.

Imports: `generation` (previews), `lineage` (indexing a trained model's audio), `model`, `audio` and the shared
plumbing. Uses torch, except in `batches`, `events`, `log` and `schedule`.
"""
