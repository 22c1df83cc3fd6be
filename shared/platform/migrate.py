"""Admin process: create the two databases if missing and apply their yoyo migrations.

    python -m shared.migrate            # both models, URLs from the environment

yoyo ships no pg8000 backend, so this module gives it one: the platform keeps one
PostgreSQL driver.
"""

from __future__ import annotations

from pathlib import Path

import pg8000.native
from sqlalchemy.engine import URL, make_url
from yoyo import read_migrations
from yoyo.backends.core.postgresql import PostgresqlBackend
from yoyo.connections import DatabaseURI, default_migration_table

from shared.platform import logs
from shared.platform.config import settings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

_log = logs.get("migrate")


class Pg8000Backend(PostgresqlBackend):
    driver_module = "pg8000.dbapi"
    # yoyo creates its lock table every time and ignores the error: an ERROR in
    # PostgreSQL's log on every migrate.
    create_lock_table_sql = PostgresqlBackend.create_lock_table_sql.replace(
        "CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1
    )

    def connect(self, dburi: DatabaseURI):
        connection = self.driver.connect(
            user=dburi.username or "postgres",
            password=dburi.password,
            host=dburi.hostname or "127.0.0.1",
            port=dburi.port or 5432,
            database=dburi.database,
        )
        connection.autocommit = True
        return connection

    def begin(self):
        # The psycopg check of the parent reads connection.info, which pg8000 lacks.
        return super(PostgresqlBackend, self).begin()

    # The parent sends COMMIT (ROLLBACK) as SQL and then asks the driver, whose own finds
    # no transaction: a warning in PostgreSQL's log for every statement. Once is enough.
    def commit(self):
        self.execute("COMMIT")
        self._in_transaction = False

    def rollback(self):
        self.execute("ROLLBACK")
        self._in_transaction = False

    def _check_transactional_ddl(self) -> bool:
        # PostgreSQL has transactional DDL; yoyo's probe for it leaves an ERROR in the log.
        return True


def _connect(url: URL, database: str | None = None) -> pg8000.native.Connection:
    return pg8000.native.Connection(
        user=url.username or "postgres",
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=database or url.database,
    )


def create_database(url: URL) -> bool:
    """Create the database of url unless it exists; True when it was created."""
    connection = _connect(url, "postgres")
    try:
        if connection.run("SELECT 1 FROM pg_database WHERE datname = :name", name=url.database):
            return False
        connection.run(f"CREATE DATABASE {pg8000.native.identifier(url.database)}")
        return True
    finally:
        connection.close()


def migrate(database_url: str, model: str) -> int:
    """Apply the pending migrations of one database ("write_model", "read_model", "simulation")."""
    url = make_url(database_url)
    if create_database(url):
        logs.event(_log, "database.created", database=url.database)
    uri = DatabaseURI("postgresql", url.username, url.password, url.host, url.port, url.database, {})
    backend = Pg8000Backend(uri, default_migration_table)
    backend.init_database()
    try:
        migrations = read_migrations(str(MIGRATIONS / model))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
    finally:
        backend.connection.close()
    logs.event(_log, "migrations.applied", database=url.database, model=model, applied=len(pending))
    return len(pending)


def migrate_all() -> None:
    config = settings()
    migrate(config.write_database_url, "write_model")
    migrate(config.read_database_url, "read_model")
    migrate(config.sim_database_url, "simulation")


if __name__ == "__main__":
    migrate_all()
