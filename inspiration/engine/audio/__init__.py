"""Audio as numbers: reading and writing files, resampling, quantisation, DC blocking, loudness, noise reduction,
waveform pyramids for drawing, the encoding of audio into model codes, and a model's dataset of such codes (the
`dataset.safetensors` file that training learns from and lineage compares with).

Imports: numpy, soundfile, soxr and the shared plumbing only. No torch.
"""
