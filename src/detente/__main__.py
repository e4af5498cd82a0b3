"""``python -m detente``: the command line (see :mod:`detente.cli`)."""

from .cli import main

main()
