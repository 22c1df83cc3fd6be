"""SQLAlchemy's pg8000 dialect, with prepared statements and one-round-trip commits.

pg8000 runs every parameterised statement as Parse/Sync, Describe/Sync, Bind/Execute/Sync
(three round trips, and the server re-plans it), sends COMMIT the same way, and rescans
the SQL text character by character on every call. On these 2-core machines that was
half the cost of a submission (bench/submissions.py). This dialect prepares each distinct
statement once per connection (again every PLAN_MAX_AGE_SECONDS, so that its plan follows
the tables) and then sends only Bind/Execute/Sync; BEGIN goes in the same write as a
transaction's first statement, and COMMIT and ROLLBACK as simple queries (one round trip
each). Results, errors and transactions behave
as with the stock dialect: the same cursor fields are filled, the same exceptions raised.

It reaches into pg8000 internals (pinned in requirements.txt); the tests exercise every
path it takes against the real PostgreSQL.
"""

from __future__ import annotations

import functools
import time

from pg8000 import converters, legacy
from pg8000.core import SYNC_MSG, Context, _flush, _write
from pg8000.dbapi import IntegrityError, ProgrammingError
from pg8000.exceptions import DatabaseError, InterfaceError
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.pg8000 import PGDialect_pg8000
from sqlalchemy.engine import URL, make_url

DRIVER = "postgresql+pg8000_prepared"
# A prepared statement keeps the plan PostgreSQL made for the tables as they were (after
# five runs, one generic plan): made while a new platform's tables were empty, it scans
# whole tables once they are not (0.5 s for a match instead of 0.5 ms). Each statement is
# prepared again after this long, and planned for the tables as they are.
PLAN_MAX_AGE_SECONDS = 20.0


@functools.lru_cache(maxsize=1024)
def _numbered(statement: str) -> str:
    """SQLAlchemy's %s placeholders as PostgreSQL's $n (depends on the text alone)."""
    return legacy.convert_paramstyle("format", statement, ())[0]


class PreparedPg8000Dialect(PGDialect_pg8000):
    supports_statement_cache = True

    def do_execute(self, cursor, statement, parameters, context=None):
        if not parameters:
            cursor.execute(statement, parameters)
            return
        connection = cursor._c
        prepared = connection.__dict__.setdefault("receipts_prepared", {})
        try:
            entry = prepared.get(statement)
            if entry is not None and time.monotonic() - entry[3] > PLAN_MAX_AGE_SECONDS:
                connection.close_prepared_statement(entry[0])
                entry = None
            if entry is None:
                entry = prepared[statement] = (
                    *connection.prepare_statement(_numbered(statement), ()),
                    time.monotonic(),
                )
            name, columns, input_funcs, _prepared_at = entry
            cursor._context = _execute(
                connection,
                name,
                converters.make_params(connection.py_types, parameters),
                columns,
                input_funcs,
                statement,
            )
        except DatabaseError as error:
            raise _as_legacy_error(error) from None
        cursor._row_iter = iter(cursor._context.rows or ())

    def do_commit(self, dbapi_connection):
        if dbapi_connection._in_transaction:
            dbapi_connection.execute_simple("commit")

    def do_rollback(self, dbapi_connection):
        if dbapi_connection._in_transaction:
            dbapi_connection.execute_simple("rollback")


def _execute(connection, name: bytes, params, columns, input_funcs, statement: str) -> Context:
    """Bind/Execute/Sync a prepared statement. Outside a transaction, BEGIN is sent in the
    same write and both answers read after: one round trip, not two."""
    begin = None
    if not connection._in_transaction and not connection.autocommit:
        begin = Context("begin transaction")
        connection.send_QUERY("begin transaction")
    context = Context(columns=columns, input_funcs=input_funcs, statement=statement)
    connection.send_BIND(name, params)
    connection.send_EXECUTE()
    _write(connection._sock, SYNC_MSG)
    _flush(connection._sock)
    if begin is not None:
        try:
            connection.handle_messages(begin)
        except DatabaseError:
            try:  # the statement's answer follows, whatever it is: read it, then report BEGIN's error
                connection.handle_messages(context)
            except DatabaseError:
                pass
            raise
    connection.handle_messages(context)
    return context


def _as_legacy_error(error: DatabaseError) -> Exception:
    """The exception class pg8000's own cursor would raise (SQLAlchemy maps on it)."""
    message = error.args[0]
    if not isinstance(message, dict) or type(error) is not DatabaseError:
        return error
    code = message.get("C")
    kind = InterfaceError if code == "28000" else IntegrityError if code == "23505" else ProgrammingError
    return kind(message)


registry.register("postgresql.pg8000_prepared", __name__, "PreparedPg8000Dialect")


def prepared_url(url: str) -> URL:
    """A postgresql+pg8000 URL, served by this dialect."""
    parsed = make_url(url)
    return parsed.set(drivername=DRIVER) if parsed.drivername == "postgresql+pg8000" else parsed
