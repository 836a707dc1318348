"""Reaching the team server: the password from the OS keyring, TLS for non-local servers, one connection a round."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

from crmtui.config import SyncSettings
from crmtui.errors import InvalidInput, NotAllowed, Offline

if TYPE_CHECKING:
    import psycopg

KEYRING_SERVICE = "crmtui"
CONNECT_TIMEOUT = 5
"""Seconds before an unreachable server is reported (a train's flaky network must not hang a round)."""


def keyring_user(sync: SyncSettings) -> str:
    """The keyring entry of this rep on this server."""
    return f"{sync.user}@{sync.server}"


def check_keyring() -> None:
    """Refuses before the password is typed when this machine has no keyring to keep it in."""
    from keyring.backends import fail, null

    if isinstance(_password_backend(), fail.Keyring | null.Keyring):
        raise NotAllowed("this computer has no OS keyring to keep the password in; install one (on a Linux"
                         " server: pip install keyrings.alt) and run `crm sync setup` again")


def _password_backend():  # type: ignore[no-untyped-def]
    """The keyring backend that keeps the password: the chosen one, or the first of a chain (it gets the writes)."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        chained = backend.backends
        return chained[0] if chained else fail.Keyring()
    return backend


def keyring_warning() -> str | None:
    """A warning when the keyring backend does not keep the password encrypted, or keeps none; None when it does.

    Told by what the backend is: the fail and null backends keep nothing, a class named Plaintext (keyrings.alt's
    PlaintextKeyring) writes the password as it is to a file, and a priority below 1 is how keyring itself marks
    a backend it does not recommend.
    """
    from keyring.backends import fail, null

    from crmtui.i18n import _

    backend = _password_backend()
    kind = type(backend)
    name = f"{kind.__module__}.{kind.__qualname__}"
    how = _("choose another with PYTHON_KEYRING_BACKEND or keyringrc.cfg (`python -m keyring --list-backends`"
            " lists them, `python -m keyring diagnose` shows where keyringrc.cfg goes)")
    if isinstance(backend, fail.Keyring | null.Keyring):
        return _("the keyring backend {backend} keeps no password; {how}").format(backend=name, how=how)
    if any("plaintext" in cls.__name__.lower() for cls in kind.__mro__):
        return _("the keyring backend {backend} keeps the sync password unencrypted in a file; {how}").format(
            backend=name, how=how)
    try:
        priority = float(backend.priority)
    except Exception:  # a backend whose priority cannot be read is not trusted either
        priority = 0.0
    if priority < 1:
        return _("the keyring backend {backend} is one keyring does not recommend (priority {priority:g}, below 1);"
                 " {how}").format(backend=name, priority=priority, how=how)
    return None


def store_password(sync: SyncSettings, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_user(sync), password)
    except KeyringError as error:
        raise NotAllowed("the OS keyring cannot keep the password ({reason}); on a machine without one, install"
                         " a keyring backend (on a Linux server: pip install keyrings.alt)", reason=str(error)) from None


def stored_password(sync: SyncSettings) -> str:
    import keyring
    from keyring.errors import KeyringError

    try:
        password = keyring.get_password(KEYRING_SERVICE, keyring_user(sync))
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
    host, _ = check_server_url(sync.server)
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
    import psycopg

    if not sync.configured:
        raise NotAllowed("team sync is not set up: run `crm sync setup --server URL --user NAME`")
    mode = ssl_mode(sync)
    secret = stored_password(sync) if password is None else password
    url = sync.server.split("?")[0]
    try:
        connection = psycopg.connect(url, user=sync.user, password=secret, sslmode=mode, autocommit=True,
                                     connect_timeout=timeout, application_name="crmtui")
    except psycopg.OperationalError as error:
        reason = _reason(error, secret)
        if "password authentication failed" in reason or "not permitted to log in" in reason:
            raise NotAllowed("the team server refused the login of {user} ({reason}); if your password changed,"
                             " run `crm sync setup` again", user=sync.user, reason=reason) from None
        if "does not support SSL" in reason:
            raise NotAllowed("the team server does not offer TLS, which a server off this machine needs; ask the"
                             " admin to turn it on, or use `crm sync setup --insecure` on a network you trust") from None
        raise Offline("cannot reach the team server: {reason}", reason=reason) from None
    except psycopg.ProgrammingError as error:  # a URL libpq cannot read (a bad port, a stray %)
        raise InvalidInput("server", "a URL like postgresql://crm.example.com:5432/team ({reason})", sync.server,
                           reason=_reason(error, secret)) from None
    try:
        connection.execute("SET TIME ZONE 'UTC'")
        yield connection
    except psycopg.OperationalError as error:
        raise Offline("the connection to the team server was lost: {reason}", reason=_reason(error, secret)) from None
    finally:
        connection.close()


def _reason(error: BaseException, secret: str) -> str:
    text = str(error).strip().splitlines()
    line = next((item for item in text if item.strip()), type(error).__name__)
    return line.replace(secret, "***") if secret else line
