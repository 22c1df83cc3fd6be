"""Queue-triggered: applies every event to the read model, exactly once (SPEC §7)."""

import functions_framework

from shared import projections
from shared.consumers import consumer
from shared.db import read_engine


@functions_framework.cloud_event
@consumer
def project_read_model(event):
    with read_engine().begin() as connection:
        projections.project(connection, event)
