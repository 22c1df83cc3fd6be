"""Scheduled: the reconciliation run — tolerant matching cascade, expiry, drift repair."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.cloud_event
@consumer
def reconcile(event):
    services.reconcile(UnitOfWork())
