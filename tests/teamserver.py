"""Fixtures for the sync tests: one embedded PostgreSQL for the session, a fresh team database a test,
reps as real login roles, each rep's laptop as its own SQLite file, the keyring in memory."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend

from crmtui.core.clock import Clock
from crmtui.core.config import Settings, SyncSettings
from crmtui.server import admin
from crmtui.services.context import Context, open_context
from crmtui.sync.connection import store_password
from tests.pgcluster import Cluster, start_cluster

_databases = itertools.count(1)


class MemoryKeyring(KeyringBackend):
    """The real keyring API over a dict: tests never touch the OS keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One server for the session, in its own temp folder (pytest prunes its numbered folders when another
    session starts, which would pull the binaries from under a running server)."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="crmtui-pg-"))
    cluster = start_cluster(base / "cluster")
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


@dataclass
class Team:
    """One team database on the test cluster, its admin DSN, and the reps' laptops."""

    cluster: Cluster
    database: str
    home: Path
    zone: object
    laptops: dict[str, Context] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    admin_user: str | None = None
    """The admin's login (None: the cluster's superuser)."""
    admin_password: str | None = None

    @property
    def dsn(self) -> str:
        return self.cluster.url(self.database, user=self.admin_user, password=self.admin_password)

    @property
    def group_roles(self) -> list[str]:
        """The team's group roles, named by `crm server init` from the database's name."""
        return [f"crm_{self.database}_{kind}" for kind in admin.ROLE_KINDS]

    @property
    def server_url(self) -> str:
        return f"postgresql://{self.cluster.host}:{self.cluster.port}/{self.database}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.dsn, autocommit=True)

    def rep_url(self, name: str) -> str:
        return self.cluster.url(self.database, user=self.role(name), password=self.passwords[name])

    def role(self, name: str) -> str:
        return f"{name}_{self.database}"

    def add_rep(self, name: str, *, manager: bool = False) -> Context:
        """A rep (a login role) and their laptop (a SQLite file with [sync] set and the password in the keyring)."""
        role = self.role(name)
        self.passwords[name], _ = admin.add_rep(self.dsn, role, manager=manager)
        sync = SyncSettings(server=self.server_url, user=role)
        settings = Settings(timezone="Asia/Shanghai", language="en", sync=sync)
        ctx = open_context(self.home / f"{name}.db", settings=settings, clock=Clock(self.zone))
        store_password(sync, self.passwords[name])
        self.laptops[name] = ctx
        return ctx

    def set_server_clock(self, moment: datetime) -> None:
        """The team clock (sync.now()) shows `moment` now; it runs on from there."""
        with self.admin() as conn:  # the server's own now(): this process's clock is frozen by time_machine
            conn.execute("UPDATE sync.server_info SET value = extract(epoch FROM %s::timestamptz - now())::text"
                         " WHERE key = 'clock_offset_seconds'", (moment,))

    def server_rows(self, table: str, where: str = "true", params: tuple = ()) -> list[dict]:
        with self.admin() as conn:
            return [r[0] for r in conn.execute(f"SELECT to_jsonb(t) FROM crm.{table} t WHERE {where} ORDER BY id",
                                               params)]


@pytest.fixture
def team(pg_cluster: Cluster, tmp_path: Path, memory_keyring: MemoryKeyring, frozen) -> Iterator[Team]:
    """A fresh team database, initialised by `crm server init`'s code, with the team clock at the test's NOW."""
    from tests.conftest import NOW, ZONE

    database = f"team{next(_databases)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    team = Team(pg_cluster, database, tmp_path / "laptops", ZONE)
    team.home.mkdir()
    admin.init(team.dsn)
    team.set_server_clock(NOW)
    yield team
    for ctx in team.laptops.values():
        ctx.close()
    _drop_team(team)


def _drop_team(team: Team) -> None:
    """The team's database, its reps' logins, its group roles and its admin (roles outlive a database)."""
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:
        roles = [team.role(name) for name in team.passwords]
        for role in roles:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
        conn.execute(f"DROP DATABASE {team.database} WITH (FORCE)")
        for role in [*roles, *team.group_roles]:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        for role in admin.SHARED_ROLES.values():  # a test that took a team back to before team names
            try:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
            except psycopg.errors.DependentObjectsStillExist:
                pass  # another team's, still in use
        if team.admin_user:
            conn.execute(f'DROP ROLE IF EXISTS "{team.admin_user}"')


def managed_admin(cluster: Cluster, database: str) -> tuple[str, str]:
    """What a managed PostgreSQL (RDS, Cloud SQL, Azure, Supabase...) gives a team's admin: a login with
    CREATEROLE that owns the team's database, and no superuser. Returns (login, password)."""
    import secrets

    login, password = f"admin_{database}", secrets.token_hex(8)
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {login} LOGIN CREATEROLE NOSUPERUSER PASSWORD '{password}'")
        conn.execute(f"CREATE DATABASE {database} OWNER {login}")
    return login, password


@pytest.fixture
def team_factory(pg_cluster: Cluster, tmp_path: Path, memory_keyring: MemoryKeyring, frozen) -> Iterator:
    """Makes team databases on the one cluster: `make(managed=True)` has an admin without superuser (a
    CREATEROLE login that owns the database), as on a managed server. Each is initialised by `crm server
    init`'s code with the team clock at the test's NOW, and dropped with its roles at the end."""
    yield from _team_factory(pg_cluster, tmp_path)


@pytest.fixture(scope="session")
def pg16_cluster() -> Iterator[Cluster]:
    """PostgreSQL 16, the oldest crmtui supports, from the same wheel (managed services still run it)."""
    import os
    import shutil
    import tempfile

    if os.environ.get("CRMTUI_TEST_PG_URL"):
        pytest.skip("PostgreSQL 16 comes from the wheel; CRMTUI_TEST_PG_URL names one server")
    base = Path(tempfile.mkdtemp(prefix="crmtui-pg16-"))
    cluster = start_cluster(base / "cluster", install_name="pginstall")
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def team_factory_pg16(pg16_cluster: Cluster, tmp_path: Path, memory_keyring: MemoryKeyring, frozen) -> Iterator:
    """`team_factory` on PostgreSQL 16."""
    yield from _team_factory(pg16_cluster, tmp_path)


def _team_factory(cluster: Cluster, tmp_path: Path) -> Iterator:
    from tests.conftest import NOW, ZONE

    made: list[Team] = []

    def make(*, managed: bool = True, init: bool = True) -> Team:
        database = f"team{next(_databases)}"
        if managed:
            login, password = managed_admin(cluster, database)
        else:
            login = password = None
            with psycopg.connect(cluster.url(), autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {database}")
        team = Team(cluster, database, tmp_path / database, ZONE, admin_user=login, admin_password=password)
        team.home.mkdir()
        made.append(team)
        if init:
            admin.init(team.dsn)
            team.set_server_clock(NOW)
        return team

    yield make
    for team in made:
        for ctx in team.laptops.values():
            ctx.close()
        _drop_team(team)


@pytest.fixture
def managed_team(team_factory) -> Team:
    """A team whose admin has CREATEROLE and owns the database, and is no superuser."""
    return team_factory()


def travel(team: Team, frozen, delta: timedelta) -> None:
    """Moves the laptops' clock and the team clock forward together."""
    target = datetime.now(UTC) + delta  # the frozen clock
    frozen.move_to(target)
    team.set_server_clock(target)


def local_rows(ctx: Context, model: type, **where: object) -> list:
    """The rows of `model` on a laptop that match `where` (column = value)."""
    from sqlmodel import select

    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    with ctx.db.read() as session:
        return list(session.exec(query).all())
