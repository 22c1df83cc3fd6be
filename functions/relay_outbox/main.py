"""Scheduled: publishes the outbox rows that a crash or a broker outage left unpublished."""

import functions_framework

from shared import outbox
from shared.consumers import consumer
from shared.db import write_engine


@functions_framework.cloud_event
@consumer
def relay_outbox(event):
    outbox.relay(write_engine())
