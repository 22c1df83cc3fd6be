"""Test helpers: request bodies, parties, and the record of every secret the suite used."""

from __future__ import annotations

import random
import sys
import time
import uuid

from sqlalchemy import text

# Every full PAN, API key and webhook secret the suite handled. The audit test checks
# that none of them reached the database dump or the logs.
SENSITIVE: set[str] = set()

ADMIN_API_KEY = "test-admin-key-5f1c9e"

# Callbacks of the platforms the tests run go nowhere but this machine: port 9 refuses.
LOCAL_CALLBACK = "http://127.0.0.1:9/callbacks"


def remember(*secrets: str) -> None:
    SENSITIVE.update(secret for secret in secrets if secret)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def random_pan() -> str:
    pan = "4" + "".join(random.choices("0123456789", k=15))
    remember(pan)
    return pan


def token_pan(like: str | None = None) -> str:
    """A wallet's device account number: a token BIN of its own, never the card's; like
    another token, with its BIN and last 4 digits."""
    middle = "".join(random.choices("0123456789", k=6))
    pan = like[:6] + middle + like[-4:] if like else "489537" + middle + "".join(random.choices("0123456789", k=4))
    remember(pan)
    return pan


def par() -> str:
    """A Payment Account Reference: 29 upper-case letters and digits."""
    return "V001" + uuid.uuid4().hex[:25].upper()


def mask(pan: str) -> str:
    return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]


def receipt_body(pan: str | None = None, **overrides) -> dict:
    pan = pan or random_pan()
    body = {
        "merchant_receipt_id": unique("POS"),
        "issued_at": "2026-11-26T13:45:10+01:00",
        "currency": "EUR",
        "lines": [
            {"description": "Espresso", "sku": "ESP-1", "quantity": 2, "unit_price": 250, "amount": 500},
            {"description": "Croissant", "quantity": 1, "unit_price": 320, "amount": 320},
        ],
        "totals": {"subtotal": 820, "tax": 0, "tip": 0, "total": 820},
        "payments": [
            {
                "masked_pan": mask(pan),
                "auth_code": "A1B2C3",
                "amount": 820,
                "currency": "EUR",
                "transaction_date": "2026-11-26",
                "transaction_time": "13:45:02",
                "terminal_id": "T0001",
                "rrn": "633012345678",
                "scheme": "VISA",
            }
        ],
    }
    body.update(overrides)
    return body


def payment_body(pan: str | None = None, **overrides) -> dict:
    body = {
        "bank_payment_id": unique("TXN"),
        "account_ref": unique("acct"),
        "pan": pan or random_pan(),
        "auth_code": "A1B2C3",
        "amount": 820,
        "currency": "EUR",
        "transaction_date": "2026-11-26",
        "transaction_time": "13:45:02",
        "merchant_name": "Cafe Central",
        "terminal_id": "T0001",
        "rrn": "633012345678",
        "kind": "purchase",
    }
    body.update(overrides)
    return body


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    """condition()'s first truthy result, polled until timeout (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class QuietHandler:
    """Mixed into a test server's request handler: no access log on stderr."""

    def log_message(self, *args):
        pass


def serve(handler):
    """A real HTTP server on a free local port, serving handler on threads of its own."""
    import threading
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Forwarder:
    """A TCP relay from a port of its own to a real server: a backing service that can come
    up late or go away, as seen by whoever connects through it."""

    def __init__(self, target_port: int, port: int = 0):
        import socket
        import threading

        self.target_port = target_port
        self.accepted = 0  # connections made through it
        self._open: list = []
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self.accepted += 1
            self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def drop(self) -> None:
        """Cut every connection made through it, as a network or a restarted server would."""
        import socket

        for end in self._open:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._open.clear()

    def close(self) -> None:
        self.listener.close()


# schemathesis's command, with room to recurse: generating from the receipt's schema (tenders
# of two kinds, nested lines, discounts, VAT entries) recurses deeply. CPython 3.11's
# AST constructor keeps its depth in state that two threads can corrupt, reported as
# "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905): run it
# with one worker thread (--workers 1).
SCHEMATHESIS = [
    sys.executable,
    "-c",
    "import sys; sys.setrecursionlimit(10_000); sys.argv[0] = 'schemathesis'; "
    "from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
]


def fiscal_block(gross_19: str, gross_7: str, payments: str) -> dict:
    """What a German till's security module (TSE) signs for a receipt (KassenSichV, DSFinV-K),
    the gross amounts per rate as it prints them (major units)."""
    return {
        "client_id": "KASSE-01",
        "tse_serial": "5f8d2b9e0c1a4e7fa3b6c9d2e5f80a1b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f",
        "transaction_number": 4711,
        "signature_counter": 9812,
        "start_time": "2026-11-26T12:45:02.000Z",
        "end_time": "2026-11-26T12:45:10.000Z",
        "process_type": "Kassenbeleg-V1",
        "process_data": f"Beleg^{gross_19}_{gross_7}_0.00_0.00_0.00^{payments}",
        "signature_algorithm": "ecdsa-plain-SHA384",
        "time_format": "utcTime",
        "signature": "MGUCMQDx2pJ6y8Qz4mN3sXy7e1VwKfB0rHc5tU9aLq2oGd8iP4jS6kE1nZ3vR7bW0yTqXuACMGf5hD2lY9cO8",
        "public_key": "BHhWOeisRpPBTGQ1W4VUH95TXx2GARf8e2NYZXJoInjtGqnxJ8sZ3CQpYgjI+LYEmW5A37sLWHsyU7nSJUBemyU=",
    }


def waiting_for_sweep_lock(engine, shared: bool) -> int:
    """Sessions waiting for matching's sweep lock: requests that take it shared, or sweeps
    that take it exclusively."""
    call = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
                " AND query LIKE :call"
            ),
            {"call": f"%{call}(hashtextextended('receipts.matching.sweep'%"},
        ).scalar_one()
