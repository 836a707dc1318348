"""crmtui: a keyboard-only terminal CRM for sales reps. Imports nothing on purpose."""

__version__ = "0.1.0"
