"""Allows `python -m crmtui`."""

from crmtui.cli.commands import main

main()
