"""Queue-triggered: signed callbacks to the bank and the merchant of each match (SPEC §6)."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


def deliver_together(events):
    # A batch: one transaction to record and lease every payment's callbacks, one to record
    # the answers; the events still pending are retried each with its own backoff.
    return services.deliver_callbacks_together(events, UnitOfWork())


@functions_framework.cloud_event
@consumer(together=deliver_together, needs=("PLATFORM_SECRET",))
def deliver_callbacks(event):
    services.deliver_callbacks(event, UnitOfWork())
