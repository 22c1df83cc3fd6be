"""Faults of the surroundings, made for real, and how the platform classes them (SPEC §8),
and the pools that give PostgreSQL's connection slots back when idle."""

from __future__ import annotations

import threading
import uuid

import pg8000.exceptions
import pg8000.native
import pika
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from shared.platform import faults
from shared.platform.db import IdleReleasingPool, engine_for
from shared.platform.dialect import prepared_url
from tests.conftest import TEST_ENV
from tests.support import wait_until

ROLE = "receipts_faults"


def admin(sql: str, **params):
    connection = pg8000.native.Connection(user="postgres", host="127.0.0.1", database="postgres")
    try:
        return connection.run(sql, **params)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def ordinary_role():
    """A login role without superuser rights, which connection limits apply to (they do
    not to superusers), allowed into the write model's test database."""
    admin(f"DROP ROLE IF EXISTS {ROLE}")
    admin(f"CREATE ROLE {ROLE} LOGIN")
    yield ROLE
    admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{ROLE}'")
    admin(f"DROP ROLE {ROLE}")


def as_role(role: str) -> str:
    return TEST_ENV["WRITE_DATABASE_URL"].replace("postgres:postgres@", f"{role}@")


def caught(action) -> BaseException:
    try:
        action()
    except BaseException as error:  # the point is to look at it
        return error
    raise AssertionError("no error")


def test_refusals_at_connect_time_are_retryable(ordinary_role):
    engine = create_engine(as_role(ordinary_role))
    admin(f"ALTER ROLE {ordinary_role} CONNECTION LIMIT 0")
    try:
        too_many = caught(engine.connect)
    finally:
        admin(f"ALTER ROLE {ordinary_role} CONNECTION LIMIT -1")
    assert faults.sqlstate(too_many) == "53300" and faults.retryable(too_many) and faults.unreachable(too_many)

    no_database = caught(create_engine(TEST_ENV["WRITE_DATABASE_URL"] + "_missing").connect)
    assert faults.sqlstate(no_database) == "3D000" and faults.retryable(no_database)
    assert not faults.unreachable(no_database)  # startup says so at once rather than waiting

    refused = caught(create_engine("postgresql+pg8000://postgres@127.0.0.1:9/postgres").connect)
    assert faults.retryable(refused) and faults.unreachable(refused)

    broker_refused = caught(lambda: pika.BlockingConnection(pika.URLParameters("amqp://guest:guest@127.0.0.1:9/")))
    assert faults.retryable(broker_refused)


def test_a_terminated_backend_is_retryable_bad_data_is_not_a_lost_race_is(ordinary_role):
    engine = engine_for(TEST_ENV["WRITE_DATABASE_URL"])
    connection = engine.connect()
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin("SELECT pg_terminate_backend(:pid, 5000)", pid=pid)  # returns once the backend is gone
    terminated = caught(lambda: connection.execute(text("SELECT 1")))
    assert faults.retryable(terminated)
    try:
        connection.close()  # a connection known dead is discarded; one that is not is rolled back, and fails
    except Exception as error:
        assert faults.retryable(error)
    with engine.connect() as connection:  # the pool lends a live connection, not the dead one
        assert connection.execute(text("SELECT 1")).scalar_one() == 1

    with engine.connect() as connection:
        bad_data = caught(lambda: connection.execute(text("SELECT CAST('not a uuid' AS uuid)")))
    assert isinstance(bad_data, DBAPIError) and faults.sqlstate(bad_data) == "22P02"
    assert not faults.retryable(bad_data)

    with engine.connect() as connection:
        connection.execute(text("CREATE TEMP TABLE claims (id int PRIMARY KEY)"))
        connection.execute(text("INSERT INTO claims VALUES (1)"))
        taken = caught(lambda: connection.execute(text("INSERT INTO claims VALUES (1)")))
        connection.rollback()
    assert faults.sqlstate(taken) == "23505" and faults.retryable(taken)


@pytest.mark.parametrize(
    "severity, sqlstate, retryable",
    [
        ("ERROR", "58030", True),  # system error: an I/O error of the server
        ("ERROR", "XX000", True),  # internal error
        ("ERROR", "57014", True),  # cancelled (statement timeout, an operator)
        ("FATAL", "28P01", True),  # a session refused: never the data's fault
        ("ERROR", "22003", False),  # numeric value out of range: the data's
        ("ERROR", "23503", False),  # foreign key violation: the data's
    ],
)
def test_server_errors_are_classed_by_severity_and_sqlstate_class(severity, sqlstate, retryable):
    # Classes 58 and XX cannot be caused on demand: the server's own error, as pg8000 raises it.
    error = pg8000.exceptions.DatabaseError({"S": severity, "C": sqlstate, "M": "injected"})
    assert faults.retryable(error) is retryable


def test_idle_connections_are_released_and_the_pool_still_serves():
    name = f"pool-{uuid.uuid4().hex[:8]}"
    engine = create_engine(
        prepared_url(TEST_ENV["WRITE_DATABASE_URL"]),
        poolclass=IdleReleasingPool,
        pool_size=3,
        max_overflow=0,
        idle_seconds=1.0,
        connect_args={"application_name": name},
    )

    def held() -> int:
        return admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name", name=name)[0][0]

    barrier = threading.Barrier(3)

    def busy():
        with engine.connect() as connection:
            barrier.wait(timeout=10)
            connection.execute(text("SELECT 1"))

    threads = [threading.Thread(target=busy) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert held() == 3
    wait_until(lambda: held() == 0, timeout=10, message="the idle connections closed")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    assert held() == 1 and engine.pool.checkedin() == 1
    engine.dispose()


def test_a_prepared_statement_is_planned_again_for_the_tables_as_they_have_grown(monkeypatch):
    from shared.platform import dialect

    engine = engine_for(TEST_ENV["WRITE_DATABASE_URL"])
    statement = text("SELECT count(*) FROM receipts WHERE merchant_id = :id")

    def prepared(connection) -> list[str]:
        return (
            connection.execute(
                text(
                    "SELECT prepare_time FROM pg_prepared_statements"
                    " WHERE statement LIKE 'SELECT count(*) FROM receipts%'"
                )
            )
            .scalars()
            .all()
        )

    with engine.connect() as connection:
        connection.execute(statement, {"id": uuid.uuid4()})
        [first] = prepared(connection)
        connection.execute(statement, {"id": uuid.uuid4()})
        assert prepared(connection) == [first]  # young: the same statement again
        monkeypatch.setattr(dialect, "PLAN_MAX_AGE_SECONDS", 0.0)
        connection.execute(statement, {"id": uuid.uuid4()})
        [again] = prepared(connection)
        assert again != first  # old: closed, and prepared (and planned) anew
    engine.dispose()


def test_a_transaction_begun_with_its_first_statement_commits_and_rolls_back_as_one():
    """BEGIN travels in the same write as the first statement (shared.dialect): the
    statement is inside the transaction, a failing first statement leaves the connection
    usable, and a rollback undoes what the first statement did."""
    engine = engine_for(TEST_ENV["WRITE_DATABASE_URL"])
    marker = f"dialect-{uuid.uuid4()}"
    insert = text(
        "INSERT INTO outbox (id, type, subject, data) VALUES (gen_random_uuid(), :type, gen_random_uuid(), '{}')"
    )
    count = text("SELECT count(*) FROM outbox WHERE type = :type")
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(insert, {"type": marker})
            with engine.connect() as other:  # not committed: the insert ran inside the transaction
                assert other.execute(count, {"type": marker}).scalar_one() == 0
            transaction.rollback()
            assert connection.execute(count, {"type": marker}).scalar_one() == 0
            connection.rollback()
            with pytest.raises(DBAPIError):
                with connection.begin():
                    connection.execute(text("SELECT CAST(:value AS int)"), {"value": "not a number"})
            with connection.begin():
                connection.execute(insert, {"type": marker})
            assert connection.execute(count, {"type": marker}).scalar_one() == 1
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM outbox WHERE type = :type"), {"type": marker})
        engine.dispose()
