"""``python -m maskkit`` runs the command-line interface."""

from maskkit.cli.main import main

main()
