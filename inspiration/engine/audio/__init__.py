"""Audio as numbers: reading and writing files, resampling, quantisation, DC blocking, loudness, noise reduction,
waveform pyramids for drawing, and the encoding of audio into model codes.

Imports: numpy, soundfile, soxr and the shared plumbing only. No torch.
"""
