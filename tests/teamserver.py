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

from crmtui.clock import Clock
from crmtui.config import Settings, SyncSettings
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

    @property
    def dsn(self) -> str:
        return self.cluster.url(self.database)

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
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        roles = [team.role(name) for name in team.passwords]
        for role in roles:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
        conn.execute(f"DROP DATABASE {database} WITH (FORCE)")
        for role in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def travel(team: Team, frozen, delta: timedelta) -> None:
    """Moves the laptops' clock and the team clock forward together."""
    target = datetime.now(UTC) + delta  # the frozen clock
    frozen.move_to(target)
    team.set_server_clock(target)
