"""Temperature curves: the curve type and its file format, fitting a curve to per-sample temperatures, and the
user's named curve presets.

Imports: numpy and the shared plumbing only. No torch.
"""
