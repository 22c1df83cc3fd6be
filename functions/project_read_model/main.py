"""Queue-triggered: applies every event to the read model, exactly once (SPEC §7)."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.platform.db import read_engine
from shared.read import projections


def project_together(events):
    # A batch in one transaction: a commit (and its WAL flush) per batch, not per event.
    with read_engine().begin() as connection:
        projections.project_all(connection, events)


@functions_framework.cloud_event
@consumer(together=project_together)
def project_read_model(event):
    with read_engine().begin() as connection:
        projections.project(connection, event)
