"""The outbox relay's publishing rate, beside a blocking confirm per message.

    make bench-relay          # or: .venv/bin/python bench/relay.py --events 20000

A backlog of --events unpublished outbox rows (the size of a large matching sweep's
output, scaled down) is relayed twice on the same data: once by relay() as it ships
(each batch published with its confirms in flight), once with every event published
alone, waiting for its confirm before the next. A queue bound for the events' type
takes them, and is purged between runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submissions import BENCH_ENV, ensure_vhost

os.environ.update(BENCH_ENV)
from sqlalchemy import text

from shared.platform import bus
from shared.platform.db import write_engine
from shared.platform.migrate import migrate
from shared.write import outbox

EVENT_TYPE = "bench.relayed.v1"
QUEUE = "bench.relayed"


def load_backlog(engine, events: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox"))
        connection.execute(
            text(
                """
            INSERT INTO outbox (id, type, subject, data, occurred_at)
            SELECT gen_random_uuid(), :type, gen_random_uuid(),
                   jsonb_build_object('n', n, 'status', 'matched', 'lines', jsonb_build_array('a', 'b')),
                   now() - interval '1 minute'
            FROM generate_series(1, :events) AS n
            """
            ),
            {"type": EVENT_TYPE, "events": events},
        )


def relayed_per_second(engine, events: int) -> float:
    load_backlog(engine, events)
    started = time.perf_counter()
    published = outbox.relay(engine, budget_seconds=600)
    elapsed = time.perf_counter() - started
    assert published == events, f"relayed {published} of {events}"
    return events / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description="outbox relay: confirms in flight vs one blocking confirm each")
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    ensure_vhost()
    migrate(BENCH_ENV["WRITE_DATABASE_URL"], "write_model")
    connection = bus.connect()
    channel = connection.channel()
    bus.declare_exchanges(channel)
    channel.queue_declare(QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(QUEUE, bus.EXCHANGE, routing_key=EVENT_TYPE)
    engine = write_engine()

    in_flight = relayed_per_second(engine, args.events)
    channel.queue_purge(QUEUE)

    publisher = bus.publisher()
    batched = publisher.publish

    def one_confirm_each(events: list[dict], timeout: float = 5.0) -> set[str]:
        return set().union(*(batched([event], timeout) for event in events))

    publisher.publish = one_confirm_each
    try:
        blocking = relayed_per_second(engine, args.events)
    finally:
        del publisher.publish
    channel.queue_delete(QUEUE)
    connection.close()
    print(
        f"relay, {args.events} events: {in_flight:,.0f} events/s with confirms in flight, "
        f"{blocking:,.0f} events/s with a blocking confirm each ({in_flight / blocking:.1f}x)"
    )


if __name__ == "__main__":
    main()
