"""`crm server ...`: what a team admin does to the team's PostgreSQL, with an admin connection.

Only this module and crmtui.sync talk to PostgreSQL; both import psycopg when called, never at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmtui.errors import Ambiguous, InvalidInput, Match, NotAllowed, NotFound, Offline, ServerRefused
from crmtui.i18n import N_

if TYPE_CHECKING:
    import psycopg

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_VERSION = 1
"""The server schema this release creates (sync.server_info schema_version)."""
MIN_SERVER_VERSION = 160000
GROUP_ROLES = ("crm_owner", "crm_api", "crm_rep", "crm_manager", "crm_admin")
REP_CONNECTION_LIMIT = 4
"""A rep's sessions at most: the TUI's worker, `crm sync`, a pool command, one spare."""
REP_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RESERVED = ("pool", "public", "postgres")
"""Not a rep's name: `pool` means the pool in `crm server reassign`; crm_* and pg_* are our and PostgreSQL's roles."""
RULE_MAX = 100_000
RULES = ("reclaim_days", "claim_limit", "first_contact_hours", "relock_days", "max_held", "warn_days",
         "duplicate_checks_per_minute", "duplicate_checks_per_day")


@contextmanager
def admin_connection(dsn: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection with the admin's DSN; a failure to connect is one clear line."""
    import psycopg

    try:
        connection = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise Offline("cannot reach the server: {reason}", reason=first_line(error, dsn)) from None
    except psycopg.ProgrammingError as error:  # a DSN libpq cannot read
        raise InvalidInput("dsn", "a connection URL like postgresql://admin@host/team ({reason})",
                           reason=first_line(error, dsn)) from None
    try:
        yield connection
    finally:
        connection.close()


def first_line(error: BaseException, dsn: str = "") -> str:
    """The first line of a driver's message (libpq's run to several lines), with the DSN's password masked."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return mask(line, dsn)


def mask(text: str, dsn: str) -> str:
    """`text` without the password of `dsn` (a malformed DSN comes back quoted in libpq's messages)."""
    match = re.match(r"^[a-z]+://[^:/@]*:([^@]*)@", dsn)
    secret = match.group(1) if match else ""
    return text.replace(secret, "***") if secret else text


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores, made here so the password never reaches the server's logs."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:  # noqa: D401
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


@dataclass
class InitResult:
    revision_before: str | None
    revision_after: str
    epoch: str


def init(dsn: str, *, new_epoch: bool = False) -> InitResult:
    """Creates or migrates the team schema; safe to run again. `new_epoch` after restoring a backup."""
    from psycopg import sql

    with admin_connection(dsn) as conn:
        if conn.info.server_version < MIN_SERVER_VERSION:
            raise NotAllowed("the server runs PostgreSQL {version}; crmtui needs 16 or newer",
                             version=conn.info.server_version // 10000)
        for role in GROUP_ROLES:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        conn.execute("GRANT crm_admin TO CURRENT_USER")
        database = sql.Identifier(conn.info.dbname)
        conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(database))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO crm_rep, crm_manager, crm_admin").format(database))
        # A transaction left open (a laptop lid closed mid-push) must not hold locks for long.
        conn.execute(sql.SQL("ALTER DATABASE {} SET idle_in_transaction_session_timeout = '10min'").format(database))
        conn.execute("CREATE SCHEMA IF NOT EXISTS crm")
        conn.execute("CREATE SCHEMA IF NOT EXISTS sync")
        before = _revision(conn)
    _upgrade(dsn)
    with admin_connection(dsn) as conn:
        if new_epoch:
            conn.execute("UPDATE sync.server_info SET value = gen_random_uuid()::text WHERE key = 'epoch'")
            # Rows restored from a dump carry the old cluster's transaction ids: stamp them with this one's.
            for (table,) in conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.columns"
                " WHERE column_name = 'txid' AND table_schema IN ('crm', 'sync')").fetchall():
                conn.execute(f"UPDATE {table} SET txid = pg_current_xact_id()")  # names from the catalog
        epoch = conn.execute("SELECT value FROM sync.server_info WHERE key = 'epoch'").fetchone()[0]
        return InitResult(before, _revision(conn) or "", epoch)


def head_revision() -> str:
    """The newest team schema revision this crmtui knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _revision(conn: psycopg.Connection) -> str | None:
    if conn.execute("SELECT to_regclass('sync.alembic_version')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT version_num FROM sync.alembic_version").fetchone()
    return row[0] if row else None


def _upgrade(dsn: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = re.sub(r"^postgres(ql)?:", "postgresql+psycopg:", dsn) if "://" in dsn else "postgresql+psycopg://"
    connect_args = {} if "://" in dsn else {"conninfo": dsn}
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def check_rep_name(name: str) -> str:
    if not REP_NAME.fullmatch(name):
        raise InvalidInput("name", "a rep's login: lower-case letters, digits and _, starting with a letter,"
                           " at most 63 characters", name)
    if name in RESERVED or name.startswith(("crm_", "pg_")):
        raise InvalidInput("name", "a name other than pool, public, postgres, crm_… and pg_…", name)
    return name


def add_rep(dsn: str, name: str, *, manager: bool = False) -> tuple[str, bool]:
    """Creates the rep's login role (or lets a removed rep back in, or changes a rep's role) with a new
    generated password. Returns the password and whether the rep existed (their old password stops working)."""
    from psycopg import sql

    check_rep_name(name)
    password = secrets.token_urlsafe(18)
    group = "crm_manager" if manager else "crm_rep"
    other = "crm_rep" if manager else "crm_manager"
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        role = sql.Identifier(name)
        attributes = sql.SQL(
            "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION CONNECTION LIMIT {} PASSWORD {}"
        ).format(sql.Literal(REP_CONNECTION_LIMIT), sql.Literal(scram_verifier(password)))
        with conn.transaction():
            existed = bool(conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone())
            if existed:
                known = conn.execute("SELECT 1 FROM crm.rep WHERE name = %s", (name,)).fetchone()
                if not known:
                    raise NotAllowed("a database role named {name} exists and is not a rep of this team", name=name)
                conn.execute(sql.SQL("ALTER ROLE {} ").format(role) + attributes)
            else:
                conn.execute(sql.SQL("CREATE ROLE {} ").format(role) + attributes)
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), role))
            conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), role))
            conn.execute(
                "INSERT INTO crm.rep (name, manager) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET manager = excluded.manager, active = true",
                (name, manager),
            )
    return password, existed


def remove_rep(dsn: str, name: str) -> int:
    """NOLOGIN, their sessions ended, their customers back to the pool. Returns how many customers went back."""
    from psycopg import sql

    with admin_connection(dsn) as conn:
        _require_schema(conn)
        if not conn.execute("SELECT 1 FROM crm.rep WHERE name = %s", (name,)).fetchone():
            raise NotFound("rep", name)
        conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
        return conn.execute("SELECT sync.retire_rep(%s)", (name,)).fetchone()[0]


def find_customer(conn: psycopg.Connection, ref: str, *, pool_only: bool = False) -> tuple[str, str]:
    """A customer on the server (in the pool only, if asked) by id, id prefix (6+ characters), exact name,
    part of the name or pinyin: (id, name). Several matches: an error listing them."""
    from crmtui.store.raw import like_pattern

    term = ref.strip()
    if not term:
        raise NotFound("customer", ref)
    like = like_pattern(term)
    rows = conn.execute(
        "SELECT id, name, (id = %(t)s OR name = %(t)s) AS exact FROM crm.customer WHERE deleted_at IS NULL"
        + (" AND owner IS NULL" if pool_only else "")
        + " AND (id = %(t)s OR (length(%(t)s) >= 6 AND id LIKE %(prefix)s) OR name ILIKE %(like)s"
        " OR pinyin ILIKE %(like)s) ORDER BY exact DESC, name LIMIT 21",
        {"t": term, "prefix": like[1:], "like": like},
    ).fetchall()
    exact = [row for row in rows if row[2]]
    if len(exact) == 1 or len(rows) == 1:
        return (exact or rows)[0][:2]
    if not rows:
        raise NotFound("customer", ref)
    raise Ambiguous("customer", ref, [Match(row[0], row[1]) for row in rows[:20]])


def reassign(dsn: str, customer: str, rep: str | None) -> str:
    """Gives the customer to `rep` (None: to the pool). Returns the customer's name."""
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        customer_id, name = find_customer(conn, customer)
        call(conn, "SELECT sync.reassign(%s, %s)", (customer_id, rep))
        return name


def rules(dsn: str, changes: dict[str, int | None]) -> dict[str, Any]:
    """Sets the given pool rules (max_held 0 removes the cap) and returns them all."""
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        for key, value in changes.items():
            if key not in RULES:
                raise InvalidInput("rule", "one of {names}", key, names=", ".join(RULES))
            if value is not None and not 0 <= value <= RULE_MAX:
                raise InvalidInput(key, "a whole number from 0 to {most}", str(value), most=RULE_MAX)
            if key == "max_held" and value == 0:
                value = None
            conn.execute(f"UPDATE crm.pool_rule SET {key} = %s WHERE id = 1", (value,))  # key from RULES
        row = conn.execute(f"SELECT {', '.join(RULES)} FROM crm.pool_rule WHERE id = 1").fetchone()
        return dict(zip(RULES, row, strict=True))


def reclaim(dsn: str) -> int:
    """Runs the reclaim once; returns how many customers went back to the pool."""
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        return conn.execute("SELECT sync.reclaim()").fetchone()[0]


def reps(dsn: str) -> list[tuple[str, bool, bool, int]]:
    """Every rep: name, manager, active, customers held."""
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        return conn.execute(
            "SELECT r.name, r.manager, r.active, count(c.id) FROM crm.rep r"
            " LEFT JOIN crm.customer c ON c.owner = r.name AND c.deleted_at IS NULL"
            " GROUP BY r.name, r.manager, r.active ORDER BY r.name"
        ).fetchall()


def _require_schema(conn: psycopg.Connection) -> None:
    if conn.execute("SELECT to_regclass('sync.server_info')").fetchone()[0] is None:
        raise NotAllowed("this database has no crmtui schema yet: run `crm server init` first")


def call(conn: psycopg.Connection, query: str, params: tuple) -> Any:
    """Runs a server function; its refusals (SQLSTATE CRM01) become NotAllowed with a readable text."""
    import psycopg

    try:
        return conn.execute(query, params).fetchone()
    except psycopg.Error as error:
        if error.sqlstate != "CRM01":  # our refusals carry a SQLSTATE of their own
            raise
        raise refusal(error.diag.message_primary or "", error.diag.message_detail or "") from None


REFUSALS = {
    "not_a_rep": N_("{detail} is not an active rep of this team"),
    "client_of_another_rep": N_("this database was synced by {detail} before; a database syncs for one rep"),
    "no_such_customer": N_("no customer {detail} on the server"),
    "already_yours": N_("{detail} is already yours"),
    "already_taken": N_("{detail} was claimed by another rep"),
    "relocked": N_("you released or lost this customer lately; you can claim it again after {detail}"),
    "claim_limit": N_("you have claimed {detail} customers today, the most a day"),
    "max_held": N_("you hold {detail} customers, the most a rep may hold"),
    "not_yours": N_("{detail} is not yours"),
    "managers_only": N_("only a manager can do that ({detail} is not one)"),
    "admins_only": N_("only the admin can do that ({detail} is not)"),
    "no_such_rep": N_("no active rep named {detail}"),
    "sequence_reused": N_("the server already has change {detail} of this database"),
    "duplicate_check_limit": N_("the team server's duplicate check is used up ({detail}); use --force to add"
                                " without it, or ask your manager to raise the limit"),
}


def refusal(key: str, detail: str) -> ServerRefused:
    """The error for a server refusal, in the chosen language."""
    return ServerRefused(key, REFUSALS.get(key, N_("the server refused: {detail}")), detail=f"{key} {detail}"
                         if key not in REFUSALS else detail)
