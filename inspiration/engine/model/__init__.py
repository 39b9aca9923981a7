"""The SampleRNN model and its files: the torch-free config and presets, the network, its folded inference form,
the fused CPU frame routine (`fused`, `fused_frame.c`) and the measured choice of CPU step (`cpu_choice`), sampling
and its min-p truncation (`truncation`), counter-based noise, frame steppers, devices, safetensors checkpoints, the
model folder and the catalog.

Imports: `audio` and the shared plumbing. Uses torch, except in `config`, `train_config`, `presets`, `folder`,
`weights_file`, `catalog` and `truncation`, which the app uses before torch is loaded.
"""
