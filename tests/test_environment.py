"""`crm` on a broken environment: arguments that are not text, a database from a newer crmtui, CRMTUI_HOME naming
a file, a read-only file or folder, a full disk, a keyring that keeps the sync password unencrypted.

Each case is met as a rep meets it: real child processes (on the suite's clock) given raw bytes, real files made
read-only with chmod, a real file size limit (RLIMIT_FSIZE) standing in for a full disk, the real keyring API.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import keyring
import pytest
import typer

from crmtui.cli.commands import app
from crmtui.services.context import open_context, storage_error
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.store.db import SCHEMA_HEAD, Database, current_revision
from tests.conftest import ZONE

from .test_cli import crm as crm_in_process

PYTHON = sys.executable


# ---------------------------------------------------------------- helpers


def crm(env: dict[str, str], *args: str | bytes, preexec_fn: Callable[[], None] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """`crm ARGS` in a child process; bytes arguments reach it as they are (as a shell passes them)."""
    argv = [PYTHON.encode(), b"-m", b"crmtui", *(a if isinstance(a, bytes) else a.encode() for a in args)]
    child = subprocess.run(argv, env=env, capture_output=True, timeout=120, preexec_fn=preexec_fn)
    return subprocess.CompletedProcess(child.args, child.returncode, child.stdout.decode("utf-8", "replace"),
                                       child.stderr.decode("utf-8", "replace"))


def one_line_error(child: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The single line a failing command wrote to stderr (no traceback, nothing on stdout)."""
    assert child.returncode == code, (child.returncode, child.stdout, child.stderr)
    assert "Traceback" not in child.stderr
    assert child.stdout == ""
    lines = child.stderr.splitlines()
    assert len(lines) == 1, child.stderr
    return lines[0]


def dump(path: Path) -> str:
    """Every row and schema object of the file (equal dumps: nothing was written).

    Closed at once: the last connection to close removes the WAL's side files, as a rep's last `crm` does.
    """
    with closing(sqlite3.connect(path)) as connection:
        return "\n".join(connection.iterdump())


def book(home: Path) -> Path:
    """The rep's database with one customer (Acme) and one deal, closed so that no WAL side file is left."""
    path = home / "data" / "crm.db"
    ctx = open_context(path, settings=_settings())
    try:
        customer = add_customer(ctx, "Acme", status="prospect", kind="company")
        add_deal(ctx, customer.id, "Seats")
    finally:
        ctx.close()
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    return path


def _settings():  # type: ignore[no-untyped-def]
    from crmtui.core.config import Settings

    return Settings(timezone="Asia/Shanghai", language="en")


# ---------------------------------------------------------------- text that is not text


NOT_TEXT_CASES = [
    ((b"add", b"lead", b"Bad\xffName"), "name"),
    ((b"add", b"customer", b"Other", b"--company", b"\xfe\xff"), "--company"),
    # a lone surrogate as a shell passes it: its UTF-8-like bytes, which no UTF-8 decoder accepts
    ((b"log", b"Acme", b"--via", b"phone", b"--goal", b"g", b"--met", b"--notes", b"a\xed\xa0\x80b",
      b"--next-plan", b"p", b"--next", b"tomorrow 3pm"), "--notes"),
    ((b"stage", b"Acme", b"w\xffon"), "stage"),
    ((b"search", b"\xff"), "text"),
    ((b"show", b"Ac\xffme"), "customer"),
    ((b"paid", b"Acme", b"--contract=C\xff1"), "--contract"),
    ((b"edit", b"Acme", b"--name", b"N\xffew"), "--name"),
]


@pytest.mark.parametrize(("args", "name"), NOT_TEXT_CASES, ids=[case[0][0].decode() + "-" + case[1]
                                                                for case in NOT_TEXT_CASES])
def test_an_argument_that_is_not_utf8_is_refused_naming_it_and_nothing_is_written(subprocess_env, home, args,
                                                                                   name):
    path = book(home)
    before = dump(path)
    line = one_line_error(crm(subprocess_env, *args), code=2)
    assert line == f"error: {name}: not valid text (invalid UTF-8 byte); retype it"
    assert dump(path) == before


def test_a_file_name_may_hold_any_bytes(subprocess_env, home, tmp_path):
    # a POSIX file name is bytes: only text (names, notes, references) must be UTF-8
    book(home)
    target = os.fsencode(tmp_path) + b"/copy-\xff.db"
    child = crm(subprocess_env, b"backup", target)
    assert child.returncode == 0, child.stderr
    assert os.path.exists(target)
    assert "Acme" in dump(Path(os.fsdecode(target)))


def _text_parameters(root) -> Iterator[tuple[list[str], object]]:  # type: ignore[no-untyped-def]
    """(the words that reach a command, a text parameter of it) for every command of `crm`, team commands too."""
    def walk(command, words: list[str]) -> Iterator[tuple[list[str], object]]:  # type: ignore[no-untyped-def]
        for param in command.params:
            if param.type_descriptor.annotation in (str, list[str]):  # not a Path: file names may hold any bytes
                yield words, param
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*words, name])

    yield from walk(root, [])


def _args_with(command, command_words: list[str], bad, value: str) -> list[str]:  # type: ignore[no-untyped-def]
    """A command line where `bad` gets `value` and every other required parameter something valid."""
    for word in command_words:
        command = command.commands[word]  # type: ignore[attr-defined]
    args = list(command_words)
    for param in command.params:
        is_bad = param.name == bad.name
        given = value if is_bad else "x"
        if param.param_type_name == "argument":
            if is_bad or param.required:
                args.append(given)
        elif is_bad or param.required:
            args += [param.opts[0], given]
    return args


def test_every_text_parameter_of_every_command_refuses_text_that_is_not_text(home, capsys, monkeypatch):
    # a lone surrogate (what a Python caller or a Windows console can hand over); raw bytes are met above.
    # The command is built once and run as the `crm` script runs it (building it per run costs 0.3 s).
    monkeypatch.delenv("CRMTUI_SERVER_DSN", raising=False)
    command = typer.main.get_command(app)
    checked = set()
    for words, param in _text_parameters(command):
        with pytest.raises(SystemExit) as exited:
            command.main(args=_args_with(command, words, param, "Bad\ud800Name"), prog_name="crm")
        out, err = capsys.readouterr()
        shown = max(param.opts, key=len) if param.param_type_name == "option" else (param.metavar or param.name).lower()
        assert exited.value.code == 2, (words, param.name, out, err)
        assert out == ""
        assert err == f"error: {shown}: not valid text (a lone surrogate); retype it\n", (words, param.name)
        checked.add(" ".join(words))
    # the commands the rep types text into, team commands included, were all met
    assert {"add lead", "add customer", "add contact", "add deal", "log", "stage", "paid", "convert", "edit", "rm",
            "merge", "show", "search", "sync setup", "pool claim", "pool release", "server add-rep",
            "server reassign"} <= checked
    assert not (home / "data").exists()  # refused before any command opened the database


# ---------------------------------------------------------------- a database from a newer crmtui


def test_a_database_from_a_newer_crmtui_is_refused_and_nothing_is_written(subprocess_env, home):
    from crmtui.store.migrate import known_revisions

    path = book(home)
    newer = "9001"  # as a later crmtui would number its migrations; unknown to this one
    assert newer not in known_revisions() and newer > SCHEMA_HEAD
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (newer,))
    before, files = path.read_bytes(), sorted(p.name for p in path.parent.iterdir())
    for args in (("today",), ("show", "Acme"), ("add", "lead", "Bob")):
        line = one_line_error(crm(subprocess_env, *args))
        assert line == f"error: {path} was written by a newer crmtui (schema {newer}); upgrade crmtui"
    assert path.read_bytes() == before
    # no backup copy either: one was written on every run
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == files
    assert current_revision(path) == newer


# ---------------------------------------------------------------- CRMTUI_HOME and CRMTUI_DB


def test_crmtui_home_naming_a_file_is_one_line(subprocess_env, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n", encoding="utf-8")
    env = {**subprocess_env, "CRMTUI_HOME": str(a_file)}
    for args in (("today",), ("add", "lead", "Bob"), ("backup", str(tmp_path / "copy.db")), ("sync", "status")):
        line = one_line_error(crm(env, *args))
        assert line == (f"error: CRMTUI_HOME names a file, not a folder ({a_file}); point it at a folder, where"
                        " crmtui keeps config/ and data/")
    assert a_file.read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "copy.db").exists()


def test_crmtui_db_naming_a_folder_is_one_line(subprocess_env, tmp_path):
    env = {**subprocess_env, "CRMTUI_DB": str(tmp_path)}
    line = one_line_error(crm(env, "today"))
    assert line == f"error: CRMTUI_DB names a folder ({tmp_path}); it must name the database file"


# ---------------------------------------------------------------- read-only file or folder


PR_CAPBSET_DROP = 24
OVERRIDES = (1, 2, 3)
"""CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root write a file whatever its mode."""


def as_ordinary_user() -> None:
    """preexec_fn: the child honours file modes even when the suite runs as root (as in CI).

    Root keeps after exec only the capabilities of its bounding set: dropping these three from it makes
    chmod 444 mean for the child what it means for a rep.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in OVERRIDES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop the capability to override file modes")


@pytest.fixture
def modes_enforced(tmp_path: Path) -> None:
    """Skips where a child cannot be made to honour file modes (root without CAP_SETPCAP)."""
    probe = tmp_path / "probe"
    probe.write_text("", encoding="utf-8")
    probe.chmod(0o444)
    try:
        child = subprocess.run([PYTHON, "-c", f"open({str(probe)!r}, 'a')"], capture_output=True,
                               preexec_fn=as_ordinary_user, timeout=60)
    except subprocess.SubprocessError:
        pytest.skip("this machine cannot run a child without root's file access")
    if child.returncode == 0:
        pytest.skip("file modes are not enforced for a child here")


@pytest.fixture
def restore_modes(home: Path) -> Iterator[None]:
    """Gives every file and folder of the temp home its write bit back, so pytest can clean up."""
    yield
    for path in [home, *home.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


READS = {("today",): "Today, 2026-11-24", ("show", "Acme", "--json"): '"title": "Seats"',
         ("list", "customers"): "Acme", ("search", "Seats"): "Acme", ("sync", "status"): "rejected changes: 0"}
"""Commands that only read, and a piece of what each must print from the book (Acme and its deal Seats)."""
WRITES = [("add", "lead", "Bob"), ("edit", "Acme", "--phone", "13800138000"),
          ("log", "Acme", "--via", "phone", "--goal", "g", "--met", "--notes", "n", "--next-plan", "p",
           "--next", "tomorrow 3pm")]


def _reads_work(env: dict[str, str]) -> None:
    for args, expected in READS.items():
        child = crm(env, *args, preexec_fn=as_ordinary_user)
        assert child.returncode == 0 and child.stderr == "", (args, child.stderr)
        assert expected in child.stdout, (args, child.stdout)


def test_a_read_only_file_is_read_and_a_write_says_it_is_read_only(subprocess_env, home, tmp_path,
                                                                    modes_enforced, restore_modes):
    path = book(home)
    before = dump(path)
    path.chmod(0o444)
    _reads_work(subprocess_env)
    child = crm(subprocess_env, "backup", str(tmp_path / "copy.db"), preexec_fn=as_ordinary_user)
    assert child.returncode == 0, child.stderr
    assert dump(tmp_path / "copy.db") == before
    for args in WRITES:
        line = one_line_error(crm(subprocess_env, *args, preexec_fn=as_ordinary_user))
        assert line == f"error: {path} is read-only: crmtui can show it but not change it; nothing was saved", args
    assert dump(path) == before


def test_a_read_only_folder_is_read_and_a_write_says_the_folder_is_read_only(subprocess_env, home, tmp_path,
                                                                             modes_enforced, restore_modes):
    # without the WAL's side files SQLite refused even to read: this was called "not a usable database"
    path = book(home)
    before = dump(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["crm.db"]
    path.parent.chmod(0o555)
    _reads_work(subprocess_env)
    child = crm(subprocess_env, "backup", str(tmp_path / "copy.db"), preexec_fn=as_ordinary_user)
    assert child.returncode == 0, child.stderr
    assert dump(tmp_path / "copy.db") == before
    for args in WRITES:
        line = one_line_error(crm(subprocess_env, *args, preexec_fn=as_ordinary_user))
        assert line == (f"error: the folder {path.parent} is read-only: crmtui can show the database but not change"
                        " it (SQLite writes its journal next to the file); nothing was saved"), args
        assert "restore" not in line
    assert sorted(p.name for p in path.parent.iterdir()) == ["crm.db"]
    path.parent.chmod(0o755)
    assert dump(path) == before


def test_a_read_only_file_of_an_older_schema_says_it_must_be_upgraded_once(subprocess_env, home, modes_enforced,
                                                                           restore_modes):
    from crmtui.store.migrate import upgrade

    path = home / "data" / "crm.db"
    path.parent.mkdir(parents=True)
    older = Database(path)
    upgrade(older.engine, "0003")
    older.close()
    path.chmod(0o444)
    before = path.read_bytes()
    line = one_line_error(crm(subprocess_env, "today", preexec_fn=as_ordinary_user))
    assert line == (f"error: {path} must be brought to this crmtui's schema once (it has 0003) but is read-only;"
                    " make it and its folder writable for one run")
    assert path.read_bytes() == before
    assert not (path.parent / "backups").exists()


# ---------------------------------------------------------------- a full disk


def file_size_limit(limit: int) -> Callable[[], None]:
    """preexec_fn: no file of the child may grow past `limit` bytes, as on a full disk.

    The kernel then fails the write with EFBIG (after SIGXFSZ, ignored here as a rep's shell would not kill crm).
    """
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_at_the_first_open_is_said_as_such(subprocess_env, home):
    line = one_line_error(crm(subprocess_env, "today", preexec_fn=file_size_limit(0)))
    path = home / "data" / "crm.db"
    assert line == (f"error: the disk holding {path} failed to read or write (disk I/O error): it may be full or"
                    " failing; nothing was saved")
    # once there is room, the same home works
    assert crm(subprocess_env, "add", "lead", "Bob").returncode == 0


def test_a_write_on_a_full_disk_is_said_as_such_and_the_book_is_intact(subprocess_env, home):
    path = book(home)
    before = dump(path)
    # the WAL index (32 KiB) can be made, the WAL itself cannot grow past it: adding a lead writes more
    line = one_line_error(crm(subprocess_env, "add", "lead", "Bob", preexec_fn=file_size_limit(32768)))
    assert line.startswith(f"error: the disk holding {path} failed to read or write")
    assert "restore" not in line
    assert dump(path) == before
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sqlite_saying_the_disk_is_full_is_reported_as_a_full_disk(tmp_path):
    # SQLite's own "database or disk is full" (what ENOSPC gives), reached here through a page limit
    path = tmp_path / "small.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as raised:
        connection.execute("INSERT INTO t VALUES (zeroblob(100000))")
    connection.close()
    error = storage_error(raised.value, path)
    assert error is not None
    assert str(error) == f"the disk holding {path} is full; nothing was saved: free some space and try again"


def test_an_error_that_is_not_about_the_file_keeps_sqlites_words(tmp_path):
    connection = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(sqlite3.OperationalError) as raised:
        connection.execute("SELECT nothing FROM nowhere")
    connection.close()
    assert storage_error(raised.value, tmp_path / "x.db") is None


# ---------------------------------------------------------------- the keyring


@pytest.fixture
def keyring_backend() -> Iterator[Callable[[object], None]]:
    """Sets a keyring backend for the test (the real keyring API); the previous one comes back after."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring  # type: ignore[misc]
    keyring.set_keyring(previous)


def _plaintext_keyring(tmp_path: Path):  # type: ignore[no-untyped-def]
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # never the real one in the home folder
    return backend


PLAINTEXT_WARNING = ("warning: the keyring backend keyrings.alt.file.PlaintextKeyring keeps the sync password"
                     " unencrypted in a file; choose another with PYTHON_KEYRING_BACKEND or keyringrc.cfg")


def test_sync_setup_and_status_warn_once_about_a_plaintext_keyring(team, home, tmp_path, keyring_backend):
    import base64

    from .test_cli_team import _add_rep_by_cli

    backend = _plaintext_keyring(tmp_path)
    keyring_backend(backend)
    role, password = _add_rep_by_cli(team, "plain")
    result = crm_in_process("sync", "setup", "--server", team.server_url, "--user", role, "--allow-plaintext-keyring",
                            input=password + "\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning:") == 1
    assert result.stderr.startswith(PLAINTEXT_WARNING)
    # the warning is true: the password is in the file, merely base64-encoded
    assert base64.b64encode(password.encode()).decode() in Path(backend.file_path).read_text(encoding="utf-8")
    status = crm_in_process("sync", "status")
    assert status.exit_code == 0 and status.stderr.count("warning:") == 1
    assert status.stderr.startswith(PLAINTEXT_WARNING) and "warning" not in status.stdout
    as_json = crm_in_process("sync", "status", "--json")
    assert json.loads(as_json.stdout)["user"] == role  # stdout stays JSON
    assert as_json.stderr.startswith(PLAINTEXT_WARNING)


def test_sync_setup_refuses_a_plaintext_keyring_without_the_flag_before_the_password(home, tmp_path,
                                                                                    keyring_backend):
    backend = _plaintext_keyring(tmp_path)
    keyring_backend(backend)
    result = crm_in_process("sync", "setup", "--server", "postgresql://localhost:1/team", "--user", "wang",
                            input="the-password\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (
        "error: the keyring backend keyrings.alt.file.PlaintextKeyring would keep the sync password unencrypted in a"
        " file; use an encrypted keyring: the macOS Keychain, the Windows Credential Locker, Secret Service"
        " (gnome-keyring) or KWallet on a Linux desktop, or keyrings.cryptfile where there is no desktop (pip install"
        " keyrings.cryptfile), or run `crm sync setup` with --allow-plaintext-keyring to store it there anyway\n")
    assert not Path(backend.file_path).exists()  # nothing asked, nothing written
    assert "[sync]" not in (home / "config" / "config.toml").read_text(encoding="utf-8")


def test_a_chain_that_writes_to_a_plaintext_keyring_is_refused_at_setup_too(home, tmp_path, keyring_backend):
    from keyring.backends import chainer

    from .teamserver import MemoryKeyring

    plaintext = _plaintext_keyring(tmp_path)

    class Chain(chainer.ChainerBackend):
        backends = [plaintext, MemoryKeyring()]

    keyring_backend(Chain())
    result = crm_in_process("sync", "setup", "--server", "postgresql://localhost:1/team", "--user", "wang",
                            input="the-password\n")
    assert result.exit_code == 1 and "keyrings.alt.file.PlaintextKeyring would keep" in result.stderr
    assert "Password for" not in result.stderr


def _configure_sync(home: Path) -> None:
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[sync]\nserver = "postgresql://localhost:1/team"\nuser = "wang"\n', encoding="utf-8")


def test_an_encrypted_keyring_gets_no_warning(home, keyring_backend):
    from .teamserver import MemoryKeyring

    keyring_backend(MemoryKeyring())  # priority 1, no plaintext in its name: a keyring like the OS's
    _configure_sync(home)
    result = crm_in_process("sync", "status")
    assert result.exit_code == 0 and result.stderr == ""


def test_no_warning_before_sync_is_set_up(home, tmp_path, keyring_backend):
    keyring_backend(_plaintext_keyring(tmp_path))
    result = crm_in_process("sync", "status")
    assert result.exit_code == 0 and result.stderr == ""


def test_the_null_keyring_is_refused_at_setup_and_warned_about_in_status(home, keyring_backend):
    from keyring.backends import null

    keyring_backend(null.Keyring())
    result = crm_in_process("sync", "setup", "--server", "postgresql://localhost:1/team", "--user", "wang",
                            input="pw\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: this computer has no keyring to keep the sync password in (the keyring"
                                    " backend is keyring.backends.null.Keyring); install an encrypted keyring:")
    # keyrings.alt's default backend would keep the password in plain text: it is not what a rep is told to install
    assert "keyrings.cryptfile" in result.stderr and "keyrings.alt" not in result.stderr
    assert "Password for" not in result.stderr  # refused before asking: the password would be dropped
    _configure_sync(home)
    status = crm_in_process("sync", "status")
    assert status.stderr.startswith("warning: the keyring backend keyring.backends.null.Keyring keeps no password;")


def test_a_backend_keyring_does_not_recommend_is_warned_about_with_its_priority(home, keyring_backend):
    from keyring.backend import KeyringBackend

    class HomeMadeKeyring(KeyringBackend):
        """Stands for any backend that rates itself below 1, keyring's mark of "not recommended"."""

        priority = 0.2

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            return None

        def delete_password(self, service: str, username: str) -> None:
            return None

    keyring_backend(HomeMadeKeyring())
    _configure_sync(home)
    status = crm_in_process("sync", "status")
    name = f"{__name__}.test_a_backend_keyring_does_not_recommend_is_warned_about_with_its_priority.<locals>"
    assert status.stderr.startswith(f"warning: the keyring backend {name}.HomeMadeKeyring is one keyring does not"
                                    " recommend (priority 0.2, below 1);")


def test_a_chain_is_judged_by_the_backend_that_gets_the_password(home, tmp_path, keyring_backend):
    from keyring.backends import chainer

    from .teamserver import MemoryKeyring

    plaintext = _plaintext_keyring(tmp_path)

    class Chain(chainer.ChainerBackend):
        backends = [plaintext, MemoryKeyring()]  # what the chain tries first is where set_password lands

    keyring_backend(Chain())
    _configure_sync(home)
    assert crm_in_process("sync", "status").stderr.startswith(PLAINTEXT_WARNING)


def test_a_write_to_a_read_only_database_is_refused_as_an_error_the_app_shows(home):
    # the app's forms show a CrmError and stay open; a raw SQLite error would take the app down
    from crmtui.core.clock import Clock
    from crmtui.core.errors import CrmError
    from crmtui.services.context import Context
    from crmtui.services.customers import list_customers
    from crmtui.store.db import ReadOnlyDatabase

    path = book(home)
    before = dump(path)
    ctx = Context(db=ReadOnlyDatabase(path), settings=_settings(), clock=Clock(ZONE))
    try:
        assert [c.name for c in list_customers(ctx, ("prospect",))] == ["Acme"]
        with pytest.raises(CrmError) as refused:
            add_customer(ctx, "Bob", status="lead", kind="person")
    finally:
        ctx.close()
    assert str(refused.value) == f"{path} is read-only: crmtui can show it but not change it; nothing was saved"
    assert dump(path) == before
