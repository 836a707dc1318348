"""The screens of the TUI; they call services, never the store."""
