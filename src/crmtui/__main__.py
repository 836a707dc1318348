"""Allows `python -m crmtui`."""

from crmtui.cli import main

main()
