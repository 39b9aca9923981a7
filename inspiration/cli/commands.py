"""The list of subcommands, in the order `inspiration --help` shows them."""

REGISTRARS: tuple = ()
