"""The use cases: every rule of a rep's day. The CLI and the TUI call only these."""
