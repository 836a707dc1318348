"""The `crm` command line: the commands, the team commands, help in the chosen language, output helpers."""
