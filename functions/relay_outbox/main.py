"""Scheduled: publishes the outbox rows that a crash or a broker outage left unpublished."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.platform.db import write_engine
from shared.write import outbox


@functions_framework.cloud_event
@consumer
def relay_outbox(event):
    outbox.relay(write_engine())
