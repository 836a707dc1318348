"""Reaching the team server: the password from the OS keyring, TLS for non-local servers, one connection a round."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

from crmtui.core.config import SyncSettings
from crmtui.core.errors import CrmError, InvalidInput, NotAllowed, Offline
from crmtui.core.i18n import N_, _
from crmtui.server.dsn import hide_password

if TYPE_CHECKING:
    import psycopg

KEYRING_SERVICE = "crmtui"
CONNECT_TIMEOUT = 5
"""Seconds before an unreachable server is reported (a train's flaky network must not hang a round)."""


def keyring_user(sync: SyncSettings) -> str:
    """The keyring entry of this rep on this server."""
    return f"{sync.user}@{sync.server}"


class KeyringRefused(NotAllowed):
    """`crm sync setup` will not hand the password to this keyring backend."""


def check_keyring(*, allow_plaintext: bool = False) -> None:
    """Refuses, before the password is typed, a keyring backend that keeps nothing, and one that keeps the
    password unencrypted unless the rep allowed it (`--allow-plaintext-keyring`)."""
    backend = _password_backend()
    kind = _backend_kind(backend)
    if kind == "none":
        # keyrings.alt is not advised: its default backend keeps the password as it is in a file
        raise KeyringRefused(N_("this computer has no keyring to keep the sync password in (the keyring backend is"
                             " {backend}); install an encrypted keyring: the macOS Keychain, the Windows Credential"
                             " Locker, Secret Service (gnome-keyring) or KWallet on a Linux desktop, or"
                             " keyrings.cryptfile where there is no desktop (pip install keyrings.cryptfile), then"
                             " run `crm sync setup` again"), backend=_backend_name(backend))
    if kind == "plaintext" and not allow_plaintext:
        raise KeyringRefused(N_("the keyring backend {backend} would keep the sync password unencrypted in a file;"
                             " use an encrypted keyring: the macOS Keychain, the Windows Credential Locker, Secret"
                             " Service (gnome-keyring) or KWallet on a Linux desktop, or keyrings.cryptfile where"
                             " there is no desktop (pip install keyrings.cryptfile), or run `crm sync setup` with"
                             " --allow-plaintext-keyring to store it there anyway"), backend=_backend_name(backend))


def _keyring():  # type: ignore[no-untyped-def]
    """The keyring backend in use; a backend chosen (PYTHON_KEYRING_BACKEND, keyringrc.cfg) that cannot work here
    (keyrings.alt's EncryptedKeyring without pycryptodome, a name that is no backend) is refused in one line."""
    import keyring  # deferred: keyring costs about 0.2 s, paid only when a password is read or kept

    try:
        return keyring.get_keyring()
    except Exception as error:  # noqa: BLE001 - keyring raises whatever the chosen backend raises
        chosen = os.environ.get("PYTHON_KEYRING_BACKEND") or "keyringrc.cfg"
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise NotAllowed("the keyring backend chosen ({backend}) cannot work on this computer: {reason}; install"
                         " what it needs (keyrings.alt's EncryptedKeyring needs pycryptodome: pip install"
                         " pycryptodome), or choose another backend with PYTHON_KEYRING_BACKEND or keyringrc.cfg"
                         " (`python -m keyring --list-backends` lists them)", backend=chosen, reason=reason) from None


def _password_backend():  # type: ignore[no-untyped-def]
    """The keyring backend that keeps the password: the chosen one, or the first of a chain (it gets the writes)."""
    from keyring.backends import chainer, fail  # deferred with keyring (about 0.2 s)

    backend = _keyring()
    if isinstance(backend, chainer.ChainerBackend):
        chained = backend.backends
        return chained[0] if chained else fail.Keyring()
    return backend


def _backend_name(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def _backend_kind(backend: object) -> str | None:
    """"none" (keeps nothing), "plaintext" (keeps it unencrypted), "unrecommended" (a priority below 1), or None.

    Told by what the backend is: the fail and null backends keep nothing, a class named Plaintext (keyrings.alt's
    PlaintextKeyring) writes the password as it is to a file, and a priority below 1 is how keyring itself marks
    a backend it does not recommend.
    """
    from keyring.backends import fail, null  # deferred with keyring (about 0.2 s)

    if isinstance(backend, fail.Keyring | null.Keyring):
        return "none"
    if any("plaintext" in cls.__name__.lower() for cls in type(backend).__mro__):
        return "plaintext"
    return "unrecommended" if _priority(backend) < 1 else None


def _priority(backend: object) -> float:
    try:
        return float(backend.priority)  # type: ignore[attr-defined]
    except Exception:  # a backend whose priority cannot be read is not trusted either
        return 0.0


def keyring_warning() -> str | None:
    """A warning when the keyring backend does not keep the password encrypted, or keeps none; None when it does."""
    backend = _password_backend()
    kind, name = _backend_kind(backend), _backend_name(backend)
    how = _("choose another with PYTHON_KEYRING_BACKEND or keyringrc.cfg (`python -m keyring --list-backends`"
            " lists them, `python -m keyring diagnose` shows where keyringrc.cfg goes)")
    if kind == "none":
        return _("the keyring backend {backend} keeps no password; {how}").format(backend=name, how=how)
    if kind == "plaintext":
        return _("the keyring backend {backend} keeps the sync password unencrypted in a file; {how}").format(
            backend=name, how=how)
    if kind == "unrecommended":
        return _("the keyring backend {backend} is one keyring does not recommend (priority {priority:g}, below 1);"
                 " {how}").format(backend=name, priority=_priority(backend), how=how)
    return None


def keyring_place() -> str:
    """Where the password is kept, as setup says it: the OS keyring, or the backend by name (and unencrypted in a
    file, when it is one of those)."""
    backend = _password_backend()
    kind, name = _backend_kind(backend), _backend_name(backend)
    if kind is None:
        return _("the OS keyring")
    if kind == "plaintext":
        return _("the keyring backend {backend}, unencrypted in a file").format(backend=name)
    return _("the keyring backend {backend}").format(backend=name)


def store_password(sync: SyncSettings, password: str) -> None:
    # deferred: keyring costs about 0.2 s, paid only when a password is kept
    from keyring.errors import KeyringError


    backend = _keyring()
    try:
        backend.set_password(KEYRING_SERVICE, keyring_user(sync), password)
    except KeyringError as error:
        raise NotAllowed("the keyring cannot keep the password ({reason}); unlock it, or choose another encrypted"
                         " keyring with PYTHON_KEYRING_BACKEND (`python -m keyring --list-backends` lists them)",
                         reason=str(error)) from None


def stored_password(sync: SyncSettings) -> str:
    # deferred: keyring costs about 0.2 s, paid only when a password is read
    from keyring.errors import KeyringError


    backend = _keyring()
    try:
        password = backend.get_password(KEYRING_SERVICE, keyring_user(sync))
    except KeyringError as error:
        raise NotAllowed("the OS keyring cannot be read ({reason})", reason=str(error)) from None
    if password is None:
        raise NotAllowed("no password stored for {user}: run `crm sync setup` again", user=sync.user)
    return password


def check_server_url(url: str) -> tuple[str, str]:
    """The server URL's host and database; refuses anything but postgresql://host[:port]/database."""
    parts = urlparse(url)
    if parts.username or parts.password:
        raise InvalidInput("server", "the URL without a user or password (give --user; the password is asked)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise InvalidInput("server", "a URL like postgresql://crm.example.com:5432/team", url) from None
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not parts.path.strip("/") \
            or "%" in url.split("?")[0]:
        raise InvalidInput("server", "a URL like postgresql://crm.example.com:5432/team", url)
    return parts.hostname, parts.path.strip("/")


def is_local(host: str) -> bool:
    if host in ("localhost",) or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ssl_mode(sync: SyncSettings) -> str:
    """verify-full for a non-local server, unless the rep allowed otherwise; the URL's own choice is respected."""
    host, _port = check_server_url(sync.server)
    asked = parse_qs(urlparse(sync.server).query).get("sslmode", [None])[0]
    if is_local(host):
        return asked or "prefer"
    if sync.allow_insecure:
        return asked or "prefer"
    if asked not in (None, "verify-full"):
        raise NotAllowed("{host} is not on this machine: the connection needs verified TLS (sslmode=verify-full);"
                         " use `crm sync setup --insecure` to allow otherwise", host=host)
    return "verify-full"


@contextmanager
def connect(sync: SyncSettings, password: str | None = None, *, timeout: int = CONNECT_TIMEOUT
            ) -> Iterator[psycopg.Connection]:
    """One autocommit connection (times in UTC); a server out of reach is an Offline error of one line."""
    import psycopg  # deferred: the driver costs about 0.2 s, paid only when a command talks to the server

    if not sync.configured:
        raise NotAllowed("team sync is not set up: run `crm sync setup --server URL --user NAME`")
    mode = ssl_mode(sync)
    secret = stored_password(sync) if password is None else password
    url = sync.server.split("?")[0]
    try:
        connection = psycopg.connect(url, user=sync.user, password=secret, sslmode=mode, autocommit=True,
                                     connect_timeout=timeout, application_name="crmtui")
    except psycopg.OperationalError as error:
        raise connection_refused(_reason(error, secret), sync, typed=password is not None, timeout=timeout) from None
    except psycopg.ProgrammingError as error:  # a URL libpq cannot read (a bad port, a stray %)
        raise InvalidInput("server", "a URL like postgresql://crm.example.com:5432/team ({reason})", sync.server,
                           reason=_reason(error, secret)) from None
    try:
        connection.execute("SET TIME ZONE 'UTC'")
        yield connection
    except psycopg.OperationalError as error:
        lost = Offline("the connection to the team server was lost; the next sync tries again")
        lost.detail = _reason(error, secret)
        raise lost from None
    finally:
        connection.close()


class LoginRefused(NotAllowed):
    """The team server refused this login. `why`: "password" (wrong, or changed by the admin), "disabled" (the
    login may not log in: the admin removed the rep) or "not_in_team" (no right to connect to the team's database:
    the login is not, or no longer, in the team's groups)."""

    def __init__(self, why: str, template: str, **values: object) -> None:
        self.why = why
        super().__init__(template, **values)


def login_refused(reason: str, sync: SyncSettings, *, typed: bool) -> LoginRefused | None:
    """What a refused login means for the rep, from PostgreSQL's words; None when it is not a refused login.

    `typed`: the password was typed just now (`crm sync setup`), not read from the keyring. PostgreSQL says
    "password authentication failed" for a login that does not exist too, so as not to tell which exist."""
    if "password authentication failed" in reason:
        if typed:
            return LoginRefused("password", N_("the team server refused the password for {user}: it is not that"
                                " login's password (or there is no such login); type the password your admin gave"
                                " you"),
                                user=sync.user)
        return LoginRefused("password", N_("the team server refused the password stored for {user}; if your admin"
                            " gave you a new password, run `crm sync setup` again"), user=sync.user)
    if "not permitted to log in" in reason:
        return LoginRefused("disabled", N_("the login {user} was disabled on the team server (the admin removed it"
                            " from the team); ask your team's admin"), user=sync.user)
    if "permission denied for database" in reason:
        database = check_server_url(sync.server)[1]
        return LoginRefused("not_in_team", N_("the login {user} may not connect to the team database {database}: it"
                            " is not, or no longer, in that team; ask your team's admin (or check the server"
                            " URL)"),
                            user=sync.user, database=database)
    return None


def connection_refused(reason: str, sync: SyncSettings, *, typed: bool, timeout: int = CONNECT_TIMEOUT) -> CrmError:
    """Why a connection failed, in our words (and so in the rep's language), from libpq's English `reason`.

    libpq's text is kept on the error as `detail` (for logs), and shown only, in brackets, when it is none
    of the cases a rep can meet that we know: a refused login (wrong password, removed rep, not in the
    team), a database that is not there, TLS asked for or refused, a certificate not trusted, a server down,
    out of reach, unknown by name, busy or restarting."""
    error = login_refused(reason, sync, typed=typed) or _connection_failure(reason, sync, timeout)
    error.detail = reason
    return error


def _connection_failure(reason: str, sync: SyncSettings, timeout: int) -> CrmError:
    parts = urlparse(sync.server)
    host, database = check_server_url(sync.server)
    where = f"{host}:{parts.port or 5432}"
    text = reason.lower()
    if re.search(r'database ".*" does not exist', text):
        return NotAllowed("the team server {host} has no database {database}: check the server URL (`crm sync"
                          " setup`) or ask your admin", host=where, database=database)
    if "does not support ssl" in text:
        return NotAllowed("the team server does not offer TLS, which a server off this machine needs; ask the"
                          " admin to turn it on, or use `crm sync setup --insecure` on a network you trust")
    # The server checks its access rules (pg_hba.conf, which name databases) before it looks for the database: a
    # misspelt database name is refused by them too, so both causes are said, the name first.
    if "no pg_hba.conf entry" in text and "no encryption" in text:
        return NotAllowed("the team server {host} accepts no unencrypted connection from this computer to the"
                          " database {database}: check the database name in the server URL; if it is right, run"
                          " `crm sync setup` again without --insecure (ask your admin for the server's certificate"
                          " if this computer does not trust it)", host=where, database=database)
    if "no pg_hba.conf entry" in text:
        return NotAllowed("the team server {host} does not accept {user} from this computer's address for the"
                          " database {database}: check the database name in the server URL, or ask your admin",
                          host=where, user=sync.user, database=database)
    if "certificate" in text or "ssl error" in text:
        return NotAllowed("the team server's TLS certificate cannot be verified (this computer does not trust it, or"
                          " it is not for {host}); ask your admin for the server's CA certificate (it goes in"
                          " ~/.postgresql/root.crt)", host=host)
    if "connection refused" in text:
        return Offline("cannot reach the team server: {host} refused the connection (PostgreSQL is not running"
                       " there, or listens on another port)", host=where)
    if "timeout expired" in text or "timed out" in text:
        return Offline("cannot reach the team server: {host} did not answer within {seconds} s", host=where,
                       seconds=timeout)
    if "resolve host" in text or "translate host name" in text or "name or service not known" in text \
            or "nodename nor servname" in text:
        return Offline("cannot reach the team server: the name {host} cannot be found (check the network, or the"
                       " server URL)", host=host)
    if "network is unreachable" in text or "no route to host" in text:
        return Offline("cannot reach the team server: no network route to {host} (check the network)", host=where)
    if "too many clients" in text or "too many connections" in text or "remaining connection slots" in text:
        return Offline("cannot reach the team server: {host} has no free connection now; try again in a moment",
                       host=where)
    if "starting up" in text or "shutting down" in text or "recovery mode" in text or "closed the connection" in text:
        return Offline("cannot reach the team server: {host} is restarting; try again in a moment", host=where)
    return Offline("cannot reach the team server: {host} ({detail})", host=where, detail=reason)


def _reason(error: BaseException, secret: str) -> str:
    """The first line of a driver's message, its password hidden."""
    text = str(error).strip().splitlines()
    line = next((item for item in text if item.strip()), type(error).__name__)
    return hide_password(line, secret)


