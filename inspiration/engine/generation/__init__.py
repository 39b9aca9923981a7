"""Generation: the clip stream that turns a model and a temperature curve into audio, generation jobs that fill
a clip library, and live sessions played through the transport.

Imports: `model`, `library`, `lineage` (novelty of new clips), `curves`, `audio` and the shared plumbing. Uses torch.
"""
