"""The list of subcommands, in the order `inspiration --help` shows them."""

from inspiration.cli import evaluate, info, train

REGISTRARS = (train.register, info.register, evaluate.register)
