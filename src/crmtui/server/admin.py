"""`crm server ...`: what a team admin does to the team's PostgreSQL, with an admin connection.

Only this module and crmtui.sync talk to PostgreSQL; both import psycopg when called, never at start-up. The
imports marked `# deferred` inside the functions are psycopg (~0.2 s), SQLAlchemy (~0.6 s) and Alembic (~0.2 s
more): `crm server --help`, argument errors and the checks made before connecting need none of them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmtui.core import normalize
from crmtui.core.errors import Ambiguous, InvalidInput, Match, NotAllowed, NotFound, Offline, ServerRefused
from crmtui.core.i18n import N_
from crmtui.server.dsn import hide_password
from crmtui.store.lookup import compact, find_customer_by_id, find_customers, id_prefix
from crmtui.store.raw import like_pattern

if TYPE_CHECKING:
    import psycopg

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_VERSION = 1
"""The server schema this release creates (sync.server_info schema_version)."""
MIN_SERVER_VERSION = 160000
DELETED_CUSTOMERS = (
    "SELECT d.id, d.name, d.deleted_at,"
    " (SELECT a.rep FROM crm.access_change a WHERE a.customer_id = d.id"
    "   AND a.id = (SELECT max(b.id) FROM crm.access_change b WHERE b.customer_id = d.id)"
    "   AND a.change = 'lost' AND a.reason = 'deleted'"
    "   AND EXISTS (SELECT 1 FROM crm.rep r WHERE r.name = a.rep AND r.active))"
    " FROM sync.deleted_customers() d")
"""The team's deleted customers, newest deletion first: id, name, when deleted, and the rep a restore gives it
back to (its last change of hands was that rep losing it to the deletion, and the rep is still active; else
NULL: the pool)."""
ROLE_KINDS = ("owner", "api", "rep", "manager", "admin")
"""The team's group roles: tables' owner, functions' owner (the only writer), reps, managers, admins."""
TEAM_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
REP_CONNECTION_LIMIT = 4
"""A rep's sessions at most: the TUI's worker, `crm sync`, a pool command, one spare."""
REP_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RESERVED = ("pool", "public", "postgres")
"""Not a rep's name: `pool` means the pool in `crm server reassign`; crm_* and pg_* are our and PostgreSQL's roles."""
RULE_MAX = 100_000
RULES = ("reclaim_days", "claim_limit", "first_contact_hours", "relock_days", "max_held", "warn_days",
         "duplicate_checks_per_minute", "duplicate_checks_per_day", "import_checks_per_day")


def team_roles(team: str) -> dict[str, str]:
    """The group roles of a team, by kind: crm_<team>_rep and so on (roles are cluster-wide)."""
    return {kind: f"crm_{team}_{kind}" for kind in ROLE_KINDS}


SHARED_ROLES = {kind: f"crm_{kind}" for kind in ROLE_KINDS}
"""The group roles' names before they took the team's (schema s0001 to s0003 name them)."""


@contextmanager
def admin_connection(dsn: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection with the admin's DSN; a failure to connect is one clear line."""
    import psycopg  # deferred

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
    """`text` with the password fields of any URL or connection string in it masked, the password of `dsn` too
    where libpq quotes it back (a malformed DSN comes back quoted in libpq's messages); other words are left
    whole even when the password is one of their letters."""
    return hide_password(text, dsn_password(dsn))


def dsn_password(dsn: str) -> str:
    """The password in a connection URL (user:password@, up to the host's @) or key=value string; "" if none."""
    url = re.match(r"^(?:[a-z][a-z0-9+.-]*:?//)?([^/?#=]*)@", dsn, re.IGNORECASE)
    if url:
        return url.group(1).partition(":")[2]
    keyword = re.search(r"""\bpassword\s*=\s*('((?:[^'\\]|\\.)*)'|\S*)""", dsn, re.IGNORECASE)
    if keyword:
        return keyword.group(2) if keyword.group(2) is not None else keyword.group(1)
    return ""


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
    team: str = ""
    roles: dict[str, str] = field(default_factory=dict)


def init(dsn: str, *, team: str | None = None, new_epoch: bool = False) -> InitResult:
    """Creates or migrates the team schema; safe to run again. `team` names the team's group roles
    (crm_<team>_rep...; by default the database's name); `new_epoch` after restoring a backup.

    Needs no superuser: an admin with CREATEROLE who owns the database will do. Everything happens in one
    transaction, so a failure leaves the database and the cluster's roles as they were."""
    with admin_connection(dsn) as conn:  # a clear line if the server cannot be reached
        if conn.info.server_version < MIN_SERVER_VERSION:
            raise NotAllowed("the server runs PostgreSQL {version}; crmtui needs 16 or newer",
                             version=conn.info.server_version // 10000)
        superuser, createrole, owner = conn.execute(
            "SELECT r.rolsuper, r.rolcreaterole, pg_has_role(d.datdba, 'USAGE') FROM pg_roles r, pg_database d"
            " WHERE r.rolname = current_user AND d.datname = current_database()").fetchone()
        if not superuser and not (createrole and owner):
            raise NotAllowed("{user} cannot set up the team: `crm server init` needs a login that owns the database"
                             " and has CREATEROLE (or a superuser)", user=conn.info.user)
    with _migration_transaction(dsn) as (connection, conn):
        before = _revision(conn)
        name = _team_name(conn, team)
        roles = team_roles(name)
        if _team_roles_recorded(conn):
            current = _recorded_roles(conn)
        elif before is None:
            _create_shared_roles(conn, roles)
            current = SHARED_ROLES
        else:
            _check_shared_roles(conn, roles)
            current = SHARED_ROLES
        _join_team(conn, current)
        _make_schemas(conn, current)
        _upgrade(connection, name)
        roles = _recorded_roles(conn)
        _lock_database(conn, roles)
        if new_epoch:
            conn.execute("UPDATE sync.server_info SET value = gen_random_uuid()::text WHERE key = 'epoch'")
            # Rows restored from a dump carry the old cluster's transaction ids: stamp them with this one's.
            for (table,) in conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.columns"
                " WHERE column_name = 'txid' AND table_schema IN ('crm', 'sync')").fetchall():
                conn.execute(f"UPDATE {table} SET txid = pg_current_xact_id()")  # names from the catalog
        epoch = conn.execute("SELECT value FROM sync.server_info WHERE key = 'epoch'").fetchone()[0]
        return InitResult(before, _revision(conn) or "", epoch, name, roles)


@contextmanager
def _migration_transaction(dsn: str) -> Iterator[tuple[Any, psycopg.Connection]]:
    """One transaction for the whole of init: Alembic's connection and the psycopg connection under it."""
    from sqlalchemy import create_engine  # deferred
    from sqlalchemy.pool import NullPool  # deferred

    url = re.sub(r"^postgres(ql)?:", "postgresql+psycopg:", dsn) if "://" in dsn else "postgresql+psycopg://"
    connect_args = {} if "://" in dsn else {"conninfo": dsn}
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        with engine.begin() as connection:
            yield connection, connection.connection.driver_connection
    finally:
        engine.dispose()


def _team_name(conn: psycopg.Connection, requested: str | None) -> str:
    """The team's name: the one recorded in the database, else the one asked for, else the database's."""
    stored = None
    if _team_roles_recorded(conn):
        row = conn.execute("SELECT value FROM sync.server_info WHERE key = 'team'").fetchone()
        stored = row[0] if row else None
    if stored:
        if requested and requested != stored:
            raise NotAllowed("this database is team {team}; a team's name cannot change", team=stored)
        return stored
    if requested is not None:
        return check_team_name(requested)
    derived = re.sub(r"[^a-z0-9_]", "_", conn.info.dbname.lower())
    if not TEAM_NAME.fullmatch(derived):
        raise InvalidInput("team", "a team name for the database {database} (--team): lower-case letters, digits"
                           " and _, starting with a letter, at most 40 characters", database=conn.info.dbname)
    return derived


def check_team_name(name: str) -> str:
    if not TEAM_NAME.fullmatch(name):
        raise InvalidInput("team", "lower-case letters, digits and _, starting with a letter, at most 40 characters",
                           name)
    return name


def _team_roles_recorded(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT to_regclass('sync.team_role')").fetchone()[0] is not None


def _recorded_roles(conn: psycopg.Connection) -> dict[str, str]:
    """The team's group roles by kind, as the database records them (by OID: a rename cannot lose them)."""
    rows = conn.execute("SELECT kind, role::regrole::text FROM sync.team_role").fetchall()
    return {kind: name.strip('"') for kind, name in rows}


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def _databases_using(conn: psycopg.Connection, role: str) -> list[str]:
    """Other databases of the cluster where the role owns something or holds a privilege."""
    rows = conn.execute(
        "SELECT DISTINCT d.datname FROM pg_shdepend s"
        " JOIN pg_database d ON d.oid = CASE WHEN s.dbid = 0 THEN s.objid ELSE s.dbid END"
        " WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = %s)"
        " AND (s.dbid <> 0 OR s.classid = 'pg_database'::regclass) AND d.datname <> current_database()"
        " ORDER BY 1", (role,)).fetchall()
    return [row[0] for row in rows]


def _create_shared_roles(conn: psycopg.Connection, roles: dict[str, str]) -> None:
    """A new team database: its roles must be new too (an old role could bring old members in). They are
    made under the shared names the first revisions use and take the team's names in s0004, all within
    this transaction."""
    from psycopg import sql  # deferred

    for kind in ROLE_KINDS:
        if _role_exists(conn, roles[kind]):
            used = _databases_using(conn, roles[kind])
            if used:
                raise NotAllowed("the team name {team} is taken by the database {database} on this cluster:"
                                 " choose another with --team", team=roles[kind][4:-len(kind) - 1],
                                 database=used[0])
            raise NotAllowed("a role named {role} exists already (left by a dropped database?): drop it, or"
                             " choose another team name with --team", role=roles[kind])
        if _role_exists(conn, SHARED_ROLES[kind]):
            _refuse_shared(conn, SHARED_ROLES[kind])
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(SHARED_ROLES[kind])))


def _refuse_shared(conn: psycopg.Connection, role: str) -> None:
    used = _databases_using(conn, role)
    if used:
        raise NotAllowed("the database {database} on this cluster still uses the shared roles crm_rep, crm_manager"
                         " and so on: run `crm server init` on it first (it gives them its team's name)",
                         database=used[0])
    raise NotAllowed("a role named {role} exists already (left by a dropped database?): drop it first", role=role)


def _check_shared_roles(conn: psycopg.Connection, roles: dict[str, str]) -> None:
    """A team schema from before team names: its roles must be this database's alone, and its new names free."""
    for kind in ROLE_KINDS:
        used = _databases_using(conn, SHARED_ROLES[kind])
        if used:
            raise NotAllowed("the roles crm_rep, crm_manager and so on are shared with the database {database} on"
                             " this cluster, and crmtui cannot tell whose they are: move one of the two teams to"
                             " another cluster first (pg_dump, pg_restore)", database=used[0])
        if _role_exists(conn, roles[kind]):
            raise NotAllowed("a role named {role} exists already: choose another team name with --team",
                             role=roles[kind])


def _join_team(conn: psycopg.Connection, roles: dict[str, str]) -> None:
    """The admin becomes a member of the team's admins, and of the owners of the tables and of the functions
    (it migrates the schema as them and reads past row-level security through them). A CREATEROLE admin
    may grant these to itself: it created them, so it holds them WITH ADMIN OPTION."""
    from psycopg import sql  # deferred

    conn.execute(sql.SQL("GRANT {}, {} TO CURRENT_USER WITH INHERIT TRUE, SET TRUE").format(
        sql.Identifier(roles["owner"]), sql.Identifier(roles["api"])))
    conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(roles["admin"])))


def _make_schemas(conn: psycopg.Connection, roles: dict[str, str]) -> None:
    """The two schemas, the tables' owner's from the start. Without superuser, a table or a function can be given
    only to a role that may create in its schema: the functions' owner may create in sync (as the duplicate
    check's counters need anyway)."""
    from psycopg import sql  # deferred

    owner, api = sql.Identifier(roles["owner"]), sql.Identifier(roles["api"])
    for schema in ("crm", "sync"):
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(sql.Identifier(schema), owner))
    conn.execute(sql.SQL("GRANT CREATE ON SCHEMA sync TO {}").format(api))


def _lock_database(conn: psycopg.Connection, roles: dict[str, str]) -> None:
    """Only the team connects to its database (CONNECT is PUBLIC's by default, and roles are cluster-wide)."""
    from psycopg import sql  # deferred

    database = sql.Identifier(conn.info.dbname)
    conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(database))
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}, {}").format(
        database, *(sql.Identifier(roles[kind]) for kind in ("rep", "manager", "admin"))))
    # A transaction left open (a laptop lid closed mid-push) must not hold locks for long.
    conn.execute(sql.SQL("ALTER DATABASE {} SET idle_in_transaction_session_timeout = '10min'").format(database))


def head_revision() -> str:
    """The newest team schema revision this crmtui knows."""
    from alembic.config import Config  # deferred
    from alembic.script import ScriptDirectory  # deferred

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _revision(conn: psycopg.Connection) -> str | None:
    if conn.execute("SELECT to_regclass('sync.alembic_version')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT version_num FROM sync.alembic_version").fetchone()
    return row[0] if row else None


def _upgrade(connection: Any, team: str) -> None:
    from alembic import command  # deferred
    from alembic.config import Config  # deferred

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["team"] = team
    command.upgrade(config, "head")


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
    from psycopg import sql  # deferred

    check_rep_name(name)
    password = secrets.token_urlsafe(18)
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        roles = _roles(conn)
        group, other = (roles["manager"], roles["rep"]) if manager else (roles["rep"], roles["manager"])
        role = sql.Identifier(name)
        login = sql.SQL("LOGIN CONNECTION LIMIT {} PASSWORD {}").format(
            sql.Literal(REP_CONNECTION_LIMIT), sql.Literal(scram_verifier(password)))
        with conn.transaction():
            existed = _role_exists(conn, name)
            if existed:
                _check_known_rep(conn, name)
                # Only LOGIN, the limit and the password: since PostgreSQL 16 a role without SUPERUSER may
                # not even name the SUPERUSER or REPLICATION attributes in ALTER ROLE.
                conn.execute(sql.SQL("ALTER ROLE {} ").format(role) + login)
            else:
                conn.execute(sql.SQL("CREATE ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION ")
                             .format(role) + login)
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), role))
            if _is_member(conn, name, other):
                conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), role))
            conn.execute(
                "INSERT INTO crm.rep (name, manager) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET manager = excluded.manager, active = true",
                (name, manager),
            )
    return password, existed


def _check_known_rep(conn: psycopg.Connection, name: str) -> None:
    """An existing login may be taken only if it is a rep of this team, and a plain one."""
    if not conn.execute("SELECT 1 FROM crm.rep WHERE name = %s", (name,)).fetchone():
        other = conn.execute(
            "SELECT substring(g.rolname FROM '^crm_(.+)_(rep|manager|admin)$') FROM pg_auth_members m"
            " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member"
            " WHERE r.rolname = %s AND g.rolname ~ '^crm_.+_(rep|manager|admin)$' ORDER BY 1 LIMIT 1",
            (name,)).fetchone()
        if other:
            # Logins belong to the whole cluster: one name cannot be a rep in two teams' databases.
            raise NotAllowed("{name} is a login of team {team} on this cluster, and logins are shared by every"
                             " database of a cluster: choose another name for this team's rep",
                             name=name, team=other[0])
        raise NotAllowed("a database role named {name} exists and is not a rep of this team", name=name)
    powers = conn.execute(
        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls OR rolreplication FROM pg_roles"
        " WHERE rolname = %s", (name,)).fetchone()[0]
    if powers:
        raise NotAllowed("the role {name} has powers a rep must not have (superuser, createdb, createrole,"
                         " bypassrls or replication): remove them first", name=name)


def _is_member(conn: psycopg.Connection, member: str, group: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member"
        " WHERE r.rolname = %s AND g.rolname = %s", (member, group)).fetchone() is not None


def _roles(conn: psycopg.Connection) -> dict[str, str]:
    """The team's group roles (after _require_schema, which knows the schema records them)."""
    return _recorded_roles(conn)


def remove_rep(dsn: str, name: str) -> int:
    """NOLOGIN, out of the team's groups, their sessions ended where the admin may end them, their customers
    back to the pool. Returns how many customers went back."""
    from psycopg import sql  # deferred

    with admin_connection(dsn) as conn:
        _require_schema(conn)
        roles = _roles(conn)
        if not conn.execute("SELECT 1 FROM crm.rep WHERE name = %s", (name,)).fetchone():
            raise NotFound("rep", name)
        with conn.transaction():
            conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
            # Out of the groups, a session still open can read and call nothing any more: an admin without
            # superuser may not be allowed to end another role's sessions.
            for kind in ("rep", "manager"):
                if _is_member(conn, name, roles[kind]):
                    conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(roles[kind]),
                                                                     sql.Identifier(name)))
            count = conn.execute("SELECT sync.retire_rep(%s)", (name,)).fetchone()[0]
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s"
            " AND (pg_has_role(usesysid, 'USAGE') OR pg_has_role('pg_signal_backend', 'USAGE'))", (name,))
        return count


FIND_AT_MOST = 500
"""The most customers (and contacts) a reference is weighed among on the server; more is refused as too vague."""


def find_customer(conn: psycopg.Connection, ref: str, *, pool_only: bool = False) -> tuple[str, str]:
    """A live customer on the server (in the pool only, if asked) named by ref as on the laptop (an id or id
    prefix, its name or a contact's, a word or fragment of them, pinyin or its initials; see
    crmtui.services.lookup): (id, name). Several of the strongest tier: Ambiguous, listing them."""
    term = _reference(ref)
    word = compact(term)
    # A superset of what the laptop's tiers match, narrowed on the server; the tiers then decide here.
    values = {"t": term, "like": like_pattern(term), "word": like_pattern(word) if word else None,
              "prefix": id_prefix(term), "key": normalize.name_key(term) or None}
    matches = ("({a}.name_key = %(key)s OR {a}.name ILIKE %(like)s OR {a}.pinyin ILIKE %(like)s"
               " OR {a}.pinyin ILIKE %(word)s{own})")
    live = "c.deleted_at IS NULL" + (" AND c.owner IS NULL" if pool_only else "")
    customers = conn.execute(
        "SELECT c.id, c.name, c.status, c.name_key, c.pinyin FROM crm.customer c"
        f" WHERE {live} AND (c.id = %(t)s OR " + matches.format(a="c", own=" OR c.id LIKE %(prefix)s")
        + f") ORDER BY c.id = %(t)s DESC, c.name_key = %(key)s DESC, c.name LIMIT {FIND_AT_MOST + 1}",
        values).fetchall()
    contacts = conn.execute(
        "SELECT k.id, k.customer_id, k.name, k.name_key, k.pinyin, c.id, c.name, c.status, c.name_key, c.pinyin"
        f" FROM crm.contact k JOIN crm.customer c ON c.id = k.customer_id WHERE k.deleted_at IS NULL AND {live}"
        " AND " + matches.format(a="k", own="") + f" LIMIT {FIND_AT_MOST + 1}", values).fetchall()
    exact = bool(customers) and (customers[0][0] == term or (values["key"] and customers[0][3] == values["key"]))
    if not exact and (len(customers) > FIND_AT_MOST or len(contacts) > FIND_AT_MOST):
        # The tiers decide among every match; beyond this many, the strongest might not have been read.
        raise InvalidInput("customer", "more of the name, or the id: over {max} customers match it", ref,
                           max=FIND_AT_MOST)
    customers += [row[5:] for row in contacts]
    return pick_customer(ref, term, customers, [row[:5] for row in contacts], NotFound("customer", ref))


def _reference(ref: str) -> str:
    term = ref.strip()
    if not term or len(term) > 200:
        raise InvalidInput("customer", "a name, part of a name, pinyin initials or an id (1-{max} characters)",
                           ref, max=200)
    return term


def pick_customer(ref: str, term: str, customers: list, contacts: list, missing: Exception) -> tuple[str, str]:
    """The one customer that `term` names among these (id, name, status, name key, pinyin) and their contacts
    (id, customer id, name, name key, pinyin), by the laptop's own rule (crmtui.store.lookup, run on a copy in
    memory): the strongest tier decides, and several there are listed (Ambiguous), never one picked.
    `missing` is raised when none matches."""
    with sqlite3.connect(":memory:") as memory:
        memory.execute("CREATE TABLE customer (id TEXT PRIMARY KEY, name TEXT, status TEXT, name_key TEXT,"
                       " pinyin TEXT, deleted_at TEXT)")
        memory.execute("CREATE TABLE contact (id TEXT PRIMARY KEY, customer_id TEXT, name TEXT, name_key TEXT,"
                       " pinyin TEXT, deleted_at TEXT)")
        memory.executemany("INSERT OR IGNORE INTO customer VALUES (?, ?, ?, ?, ?, NULL)",
                           [(row[0], row[1], row[2], row[3] or "", row[4] or "") for row in customers])
        memory.executemany("INSERT OR IGNORE INTO contact VALUES (?, ?, ?, ?, ?, NULL)",
                           [(row[0], row[1], row[2], row[3] or "", row[4] or "") for row in contacts])
        found = find_customer_by_id(memory, term) or find_customers(memory, term, None, 20)
    if not found:
        raise missing
    if len(found) > 1:
        raise Ambiguous("customer", ref, [Match(c.id, c.name + (f"  ({c.via_contact})" if c.via_contact else ""))
                                          for c in found])
    return found[0].id, found[0].name


def reassign(dsn: str, customer: str, rep: str | None) -> str:
    """Gives the customer to `rep` (None: to the pool). Returns the customer's name."""
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        return reassign_on(conn, customer, rep)


def reassign_on(conn: psycopg.Connection, customer: str, rep: str | None) -> str:
    """The same with a manager's or the admin's connection."""
    customer_id, name = find_customer(conn, customer)
    call(conn, "SELECT sync.reassign(%s, %s)", (customer_id, rep))
    return name


def restore(dsn: str, customer: str) -> str:
    """Undoes a customer's deletion (with the records deleted with it); returns its name."""
    with admin_connection(dsn) as conn:
        _require_schema(conn)
        return restore_on(conn, customer)


def restore_on(conn: psycopg.Connection, ref: str) -> str:
    """Restores a deleted customer named by ref as on the laptop (an id or id prefix, its name or the name of a
    contact deleted with it, a word or fragment of them, pinyin or its initials), with a manager's or the admin's
    connection; returns its name. Several of the strongest tier: Ambiguous, listing them."""
    customer_id, name = find_deleted_customer(conn, ref)
    call(conn, "SELECT sync.restore(%s)", (customer_id,))
    return name


def find_deleted_customer(conn: psycopg.Connection, ref: str) -> tuple[str, str]:
    """A deleted customer a restore can bring back (not a merged one), named by ref as find_customer names a
    live one: (id, name). Only a manager or the admin may list them."""
    import psycopg  # deferred

    term = _reference(ref)
    try:
        customers = conn.execute(
            "SELECT d.id, d.name, c.status, c.name_key, c.pinyin FROM sync.deleted_customers() d"
            " JOIN crm.customer c ON c.id = d.id").fetchall()
    except psycopg.Error as error:
        if error.sqlstate != "CRM01":
            raise
        raise refusal(error.diag.message_primary or "", error.diag.message_detail or "") from None
    ids = [row[0] for row in customers]
    # The contacts a restore brings back with it: those deleted with the customer, not before.
    contacts = conn.execute(
        "SELECT k.id, k.customer_id, k.name, k.name_key, k.pinyin FROM crm.contact k"
        " JOIN crm.customer c ON c.id = k.customer_id WHERE c.id = ANY(%s)"
        " AND (k.deleted_at IS NULL OR k.deleted_at >= c.deleted_at)", (ids,)).fetchall()
    return pick_customer(ref, term, customers, contacts,
                         NotAllowed("no deleted customer {ref} on the server", ref=ref))


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
        return reps_on(conn)


def reps_on(conn: psycopg.Connection) -> list[tuple[str, bool, bool, int]]:
    """The same with a manager's or the admin's connection (both read every customer)."""
    return conn.execute(
        "SELECT r.name, r.manager, r.active, count(c.id) FROM crm.rep r"
        " LEFT JOIN crm.customer c ON c.owner = r.name AND c.deleted_at IS NULL"
        " GROUP BY r.name, r.manager, r.active ORDER BY r.name"
    ).fetchall()


def deleted_on(conn: psycopg.Connection) -> list[tuple[str, str, Any, str | None]]:
    """The deleted customers a restore can bring back, newest deletion first: id, name, when deleted, and the
    rep a restore gives it back to (None: the pool), with a manager's or the admin's connection."""
    import psycopg  # deferred

    try:
        return conn.execute(DELETED_CUSTOMERS).fetchall()
    except psycopg.Error as error:
        if error.sqlstate != "CRM01":
            raise
        raise refusal(error.diag.message_primary or "", error.diag.message_detail or "") from None


def require_admin(conn: psycopg.Connection) -> None:
    """The team schema is there and current enough, and the connection is the team's admin's."""
    _require_schema(conn)


def _require_schema(conn: psycopg.Connection) -> None:
    """The team schema is there and current enough, and the caller is the team's admin."""
    if conn.execute("SELECT to_regclass('sync.server_info')").fetchone()[0] is None:
        raise NotAllowed("this database has no crmtui schema yet: run `crm server init` first")
    if conn.execute("SELECT to_regprocedure('sync.is_admin()')").fetchone()[0] is None:
        raise NotAllowed("this team's schema is older than this crmtui: run `crm server init` first")
    if not conn.execute("SELECT CASE WHEN has_function_privilege('sync.is_admin()', 'EXECUTE')"
                        " THEN sync.is_admin() ELSE false END").fetchone()[0]:
        raise NotAllowed("{user} is not this team's admin: use the login that ran `crm server init`",
                         user=conn.info.user)


def call(conn: psycopg.Connection, query: str, params: tuple) -> Any:
    """Runs a server function; its refusals (SQLSTATE CRM01) become NotAllowed with a readable text."""
    import psycopg  # deferred

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
    "relocked": N_("you released this customer, or the pool took it back, lately; you can claim it again after"
                   " {detail}"),
    "not_deleted": N_("{detail} is not deleted"),
    "merged_customer": N_("{detail} was merged into another customer; its records are there"),
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
