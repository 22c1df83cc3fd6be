"""Scheduled: publishes the outbox rows that a crash or a broker outage left unpublished.
Its metrics say how far the outbox is behind (SPEC §13)."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.platform import metrics
from shared.platform.db import write_engine
from shared.write import outbox


@functions_framework.cloud_event
@consumer
def relay_outbox(event):
    outbox.relay(write_engine())


@metrics.sampled
def outbox_backlog():
    unpublished, oldest_seconds = outbox.backlog(write_engine())
    return [
        metrics.gauge("receipts_outbox_unpublished", "Events in the outbox not published yet", unpublished),
        metrics.gauge(
            "receipts_outbox_oldest_unpublished_seconds",
            "How long the oldest unpublished event has waited",
            oldest_seconds,
        ),
    ]
