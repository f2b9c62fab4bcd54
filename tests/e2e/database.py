"""The database engine the end-to-end tests run on, and engine-neutral
access to a campaignd database from the test side.

The engine comes from the environment (tests/CMakeLists.txt sets it for the
pg.e2e_* registrations):
  CAMPAIGND_E2E_DATABASE=postgresql://...   that PostgreSQL server
  CAMPAIGND_E2E_DATABASE_FILE=PATH          the URL in PATH (scripts/pg-cluster
                                            writes DIR/url)
  neither                                   SQLite: a file in the test's temp dir

A database handle `db` is a Path (SQLite file) or a postgresql:// URL string
(one database of its own per server, made by `fresh`, dropped with the work
dir). PostgreSQL is reached with Debian's `psql`, so nothing beyond the
standard library is needed.
"""

import contextlib
import json
import os
import re
import sqlite3
import subprocess
import unittest
import uuid
from pathlib import Path

PSQL = "psql"
PSQL_TIMEOUT = 30


def server_url():
    """The PostgreSQL server's URL the environment names; None: SQLite."""
    url = os.environ.get("CAMPAIGND_E2E_DATABASE")
    if not url and os.environ.get("CAMPAIGND_E2E_DATABASE_FILE"):
        url = Path(os.environ["CAMPAIGND_E2E_DATABASE_FILE"]).read_text().strip()
    return url or None


def on_postgres():
    return server_url() is not None


def engine_name():
    return "postgresql" if on_postgres() else "sqlite"


def skip_on_postgres(reason):
    """unittest.skipIf for behaviour that exists on SQLite only."""
    return unittest.skipIf(on_postgres(), f"SQLite only: {reason}")


def skip_on_sqlite(reason):
    return unittest.skipIf(not on_postgres(), f"PostgreSQL only: {reason}")


def is_postgres(db):
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def url_with_database(url, name):
    """`url` (postgresql://user@host:port/db?query) pointing at database `name`."""
    match = re.match(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?(\?.*)?$", url)
    if not match:
        raise ValueError(f"not a postgresql:// URL: {url}")
    return f"{match.group(1)}/{name}{match.group(3) or ''}"


def database_name(url):
    return re.match(r"^postgres(?:ql)?://[^/?]*/([^?]*)", url).group(1)


def psql(url, sql, check=True):
    """Runs `sql` with psql -At on `url`; returns stdout."""
    done = subprocess.run([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url,
                           "-c", sql], capture_output=True, text=True, timeout=PSQL_TIMEOUT)
    if check and done.returncode != 0:
        raise AssertionError(f"psql failed ({done.returncode}) on {sql!r}:\n{done.stderr}")
    return done.stdout


def fresh(work, name):
    """A new, empty database for one server: a file in `work` (SQLite) or a
    database of its own on the PostgreSQL server, dropped by work.cleanup()."""
    base = server_url()
    if base is None:
        return work.path / f"{name}.db"
    db_name = f"e2e_{re.sub(r'[^a-z0-9]', '_', name.lower())[:20]}_{uuid.uuid4().hex[:12]}"
    psql(base, f'CREATE DATABASE "{db_name}"')
    url = url_with_database(base, db_name)
    work.on_cleanup(lambda: drop(url), f"database {url}")
    return url


def drop(url):
    base = server_url() or url
    psql(base, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)', check=False)


def db_arg(db):
    """The --db value for `db`."""
    return db if is_postgres(db) else f"sqlite:{db}"


def _literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _bind(sql, args):
    """`?` placeholders replaced by SQL literals (test queries only)."""
    parts = sql.split("?")
    if len(parts) - 1 != len(args):
        raise ValueError(f"{len(args)} argument(s) for {len(parts) - 1} placeholder(s): {sql}")
    out = parts[0]
    for value, part in zip(args, parts[1:]):
        out += _literal(value) + part
    return out


def query(db, sql, args=()):
    """Rows (tuples) of a read-only query, `?` placeholders, either engine."""
    if not is_postgres(db):
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()
    text = psql(db, f"SELECT row_to_json(q) FROM ({_bind(sql, args)}) AS q")
    # json.loads keeps the columns in order (dicts do); a json column comes
    # back as the dict or list it holds, as sqlite3 returns its text.
    return [tuple(json.loads(line).values()) for line in text.splitlines() if line]


def execute(db, sql):
    """One statement that changes the database (e.g. ALTER TABLE), either engine."""
    if not is_postgres(db):
        con = sqlite3.connect(db, timeout=10, isolation_level=None)
        try:
            con.execute(sql)
        finally:
            con.close()
        return
    psql(db, sql)


@contextlib.contextmanager
def exclusive_lock(db):
    """Holds the database's write lock from another session until the block
    ends: SQLite's BEGIN EXCLUSIVE, on PostgreSQL an ACCESS EXCLUSIVE lock on
    the mails table (a psql session kept open), so campaignd's writes wait."""
    if not is_postgres(db):
        con = sqlite3.connect(db, timeout=10, isolation_level=None)
        try:
            con.execute("BEGIN EXCLUSIVE")
            yield
            con.execute("ROLLBACK")
        finally:
            con.close()
        return
    proc = subprocess.Popen([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("BEGIN;\nLOCK TABLE mails IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n")
        proc.stdin.flush()
        line = proc.stdout.readline().strip()
        if line != "locked":
            raise AssertionError(f"psql could not lock the mails table: {line!r}")
        yield
        proc.stdin.write("ROLLBACK;\n")
        proc.stdin.close()
        proc.wait(PSQL_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
