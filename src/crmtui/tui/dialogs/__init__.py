"""Modal screens and forms of the TUI; like the screens, they call services, never the store or sync."""
