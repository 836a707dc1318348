"""The team server's administration, as `crm server ...` uses it: the admin's commands (with the admin's connection
URL) and a manager's (the admin's URL, or the manager's own team login on their laptop).

Every failure is a CrmError with one line to show: the driver's and Alembic's errors become "the server refused:
..." with the password masked, never a traceback. The server's admin functions live in crmtui.server.admin; this
module is the CLI's door to them, so the CLI never imports the server or the sync client itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from crmtui.core.clock import Clock, local_zone
from crmtui.core.config import load_settings
from crmtui.core.errors import CrmError, NotAllowed
from crmtui.core.i18n import set_language
from crmtui.core.normalize import set_phone_region
from crmtui.server import admin as server_admin
from crmtui.server.admin import InitResult
from crmtui.sync.client import handshake, is_driver_error, sync_round
from crmtui.sync.connection import connect

if TYPE_CHECKING:
    import psycopg

    from crmtui.services.context import Context

T = TypeVar("T")
Action = Callable[["psycopg.Connection"], T]
"""What a manager's command does on the server, given the connection."""

__all__ = ["DeletedCustomer", "InitResult", "RepRow", "add_rep", "admin_clock", "as_admin", "deleted", "init",
           "reassign", "reclaim", "remove_rep", "reps", "restore", "rules"]


def use_local_settings() -> None:
    """The admin's language and phone region from this computer's settings, when it has readable ones: the
    server's phone keys (a migration re-keys them) are read in the admin's region, as laptops do."""
    try:
        settings = load_settings()
        set_language(settings.language)
        set_phone_region(settings.phone_region)
    except CrmError:
        pass


def admin_clock() -> Clock:
    """The clock an admin's listing shows dates with: this computer's configured zone, else its own."""
    try:
        return Clock(local_zone(load_settings().timezone))
    except CrmError:
        return Clock(local_zone())


def as_admin(dsn: str | None, action: Callable[[str], T], command: str = "") -> T:
    """Runs action(the admin's connection URL). Without one, says that the command is the admin's
    and how to give the admin's connection; the driver's errors become one line, the URL's password masked."""
    use_local_settings()
    if not dsn:
        raise NotAllowed("`crm server {command}` is the admin's: give the admin's connection URL with --dsn or"
                         " CRMTUI_SERVER_DSN", command=command)
    try:
        return action(dsn)
    except CrmError:
        raise
    except Exception as error:  # the driver's or Alembic's: one line, the admin's password masked
        if not is_driver_error(error):
            raise
        raise NotAllowed("the server refused: {reason}",
                         reason=server_admin.first_line(getattr(error, "orig", None) or error, dsn)) from None


def _as_manager(dsn: str | None, ctx: Context | None, action: Action[T], *, sync_after: bool = False) -> T:
    """Runs action(connection) as the admin (with the admin's URL) or, without one, as the manager this
    laptop syncs as (its own team login: the server, user and keyring password of `crm sync setup`). A rep's
    login is refused before anything is read; after a change, the manager's laptop syncs at once."""
    if dsn:
        def run(url: str) -> T:
            with server_admin.admin_connection(url) as conn:
                server_admin.require_admin(conn)
                return action(conn)

        return as_admin(dsn, run)
    if ctx is None or not ctx.settings.sync.configured:
        raise NotAllowed("give the admin's --dsn, or run it on a manager's laptop set up with `crm sync setup`")
    sync = ctx.settings.sync
    try:
        with connect(sync) as pg:
            if not handshake(ctx, pg).manager:
                raise server_admin.refusal("managers_only", sync.user)
            result = action(pg)
    except CrmError:
        raise
    except Exception as error:  # the driver's: one line
        if not is_driver_error(error):
            raise
        raise NotAllowed("the server refused: {reason}", reason=server_admin.first_line(error)) from None
    if sync_after:
        try:
            sync_round(ctx)
        except CrmError:
            pass  # the change is on the server; the laptop's next round brings it
    return result


# The admin's commands ----------------------------------------------------------------------------------------

def init(dsn: str | None, *, team: str | None = None, new_epoch: bool = False) -> InitResult:
    """Creates or migrates the team schema (tables, row-level security, roles, functions). Safe to run again."""
    return as_admin(dsn, lambda url: server_admin.init(url, team=team, new_epoch=new_epoch), "init")


def add_rep(dsn: str | None, name: str, *, manager: bool = False) -> tuple[str, bool]:
    """Creates a rep's login (or changes an existing one's role): its new password, and whether it existed."""
    return as_admin(dsn, lambda url: server_admin.add_rep(url, name, manager=manager), "add-rep")


def remove_rep(dsn: str | None, name: str) -> int:
    """Stops a rep's login, ends their sessions, returns their customers to the pool: how many went."""
    return as_admin(dsn, lambda url: server_admin.remove_rep(url, name), "remove-rep")


def rules(dsn: str | None, changes: Mapping[str, int | None]) -> dict[str, Any]:
    """The pool rules after setting the given ones (none given: as they are)."""
    return as_admin(dsn, lambda url: server_admin.rules(url, dict(changes)), "rules")


def reclaim(dsn: str | None) -> int:
    """Returns overdue customers to the pool now: how many went."""
    return as_admin(dsn, lambda url: server_admin.reclaim(url), "reclaim")


# A manager's commands (the admin's URL, or the manager's own login) -----------------------------------------

def reassign(customer: str, rep: str | None, *, dsn: str | None = None, ctx: Context | None = None) -> str:
    """Gives a customer (a name, part of it, pinyin initials or an id prefix) to a rep, or to the pool (None);
    returns its name."""
    return _as_manager(dsn, ctx, lambda conn: server_admin.reassign_on(conn, customer, rep), sync_after=True)


def restore(customer: str, *, dsn: str | None = None, ctx: Context | None = None) -> str:
    """Brings back a deleted customer with the records deleted with it; returns its name."""
    return _as_manager(dsn, ctx, lambda conn: server_admin.restore_on(conn, customer), sync_after=True)


@dataclass(frozen=True)
class DeletedCustomer:
    """A deleted team customer as a restore would bring it back."""

    id: str
    name: str
    deleted_at: datetime | None
    """When it was deleted (UTC, as the server keeps it)."""
    back_to: str | None
    """The rep a restore gives it back to; None: the pool."""


def deleted(*, dsn: str | None = None, ctx: Context | None = None) -> list[DeletedCustomer]:
    """The team's deleted customers a restore can bring back, newest deletion first."""
    return _as_manager(dsn, ctx, lambda conn: [DeletedCustomer(*row) for row in server_admin.deleted_on(conn)])


@dataclass(frozen=True)
class RepRow:
    """A rep of the team as the admin lists them."""

    name: str
    manager: bool
    active: bool
    held: int
    """How many customers they hold."""


def reps(*, dsn: str | None = None, ctx: Context | None = None) -> list[RepRow]:
    """The team's reps: manager or not, active or not, customers held."""
    return _as_manager(dsn, ctx, lambda conn: [RepRow(*row) for row in server_admin.reps_on(conn)])
