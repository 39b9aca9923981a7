"""The list of subcommands, in the order `inspiration --help` shows them."""

from collections.abc import Callable
from typing import Any

from inspiration.cli import denoise, evaluate, generate, info, render, train

REGISTRARS: tuple[Callable[[Any], None], ...] = (
    train.register,
    info.register,
    evaluate.register,
    generate.register,
    render.register,
    denoise.register,
)
