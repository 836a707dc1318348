"""The `crm` command line: the commands, the team commands, help in the chosen language, output helpers."""


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # A `crm` script installed before the command line was a package calls crmtui.cli.main; it keeps working
    # until the next install writes the new entry point (crmtui.cli.commands:main). Lazy: importing a module of
    # this package loads no command.
    if name == "main":
        from crmtui.cli.commands import main  # deferred: every command (~80 ms) stays off an import of cli.output

        return main
    raise AttributeError(name)
