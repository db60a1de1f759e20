"""A throw-away PostgreSQL server on loopback, for the ledger's tests and benchmark.

Finds ``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql`` package), runs ``initdb`` in a
temporary directory and starts the server on 127.0.0.1 at a free port, with its unix
socket inside the same directory. PostgreSQL refuses to run as root, so as root the
directory is chowned to the ``postgres`` user and the binaries run through
``runuser -u postgres --``. Not for production: trust authentication, fsync on.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

__all__ = ["TemporaryPostgres", "find_postgres_bin"]


def find_postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<v>/bin`` holding ``initdb`` and ``pg_ctl``."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
    )
    for cand in reversed(found):
        if (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class TemporaryPostgres:
    """Start with `start()`, get URLs from `url()` / `create_database()`, then `stop()`."""

    def __init__(self) -> None:
        self.bindir = find_postgres_bin()
        self.tmp: Path | None = None
        self.port = 0
        self.user = "postgres"
        self._run_as: list[str] = []
        self._counter = 0

    def _cmd(self, *args: str) -> list[str]:
        return [*self._run_as, *args]

    def start(self) -> None:
        if self.bindir is None:
            raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin"
                               " (install the Debian 'postgresql' package: bash .ci/setup)")
        self.tmp = Path(tempfile.mkdtemp(prefix="zkcredit-pg-"))
        data = self.tmp / "data"
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root but there is no 'postgres' user") from exc
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root but 'runuser' is missing")
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
            self._run_as = [runuser, "-u", "postgres", "--"]
            self.user = "postgres"
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.port = _free_port()
        subprocess.run(  # noqa: S603 -- fixed argv, binaries from /usr/lib/postgresql
            self._cmd(str(self.bindir / "initdb"), "-D", str(data), "-U", self.user,
                      "--auth=trust", "--encoding=UTF8", "--no-instructions"),
            check=True, capture_output=True, timeout=120)
        opts = (f"-p {self.port} -k {self.tmp} -h 127.0.0.1 -c max_connections=60"
                " -c shared_buffers=64MB")
        subprocess.run(  # noqa: S603 -- fixed argv, binaries from /usr/lib/postgresql
            self._cmd(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                      "-l", str(self.tmp / "server.log"), "-w", "-t", "60", "start"),
            check=True, capture_output=True, timeout=120)

    def log(self) -> str:
        if self.tmp is None:
            return ""
        with contextlib.suppress(OSError):
            return (self.tmp / "server.log").read_text(errors="replace")[-4000:]
        return ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "ledger") -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        self._counter += 1
        name = f"{prefix}_{os.getpid()}_{self._counter}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user}"
                             " dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)

    def fresh_schema(self, database: str) -> str:
        """Empty ``database`` by dropping and re-creating its public schema (much faster
        than CREATE DATABASE); returns its SQLAlchemy URL."""
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user}"
                             f" dbname={database}", autocommit=True) as conn:
            conn.execute(b"DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute(b"CREATE SCHEMA public")
        return self.url(database)

    def stop(self) -> None:
        if self.tmp is None:
            return
        if self.bindir is not None:
            subprocess.run(  # noqa: S603 -- fixed argv, binaries from /usr/lib/postgresql
                self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "-m",
                          "immediate", "-w", "stop"),
                check=False, capture_output=True, timeout=120)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
