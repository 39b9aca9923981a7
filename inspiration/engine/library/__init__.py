"""The clip library: a folder of clips with a SQLite manifest, clip records, importing files, and quality flags.

Imports: `audio`, `curves` and the shared plumbing. No torch.
"""
