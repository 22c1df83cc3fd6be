"""Queue-triggered: signed callbacks to the bank and the merchant of each match (SPEC §6)."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


@functions_framework.cloud_event
@consumer(needs=("PLATFORM_SECRET",))
def deliver_callbacks(event):
    services.deliver_callbacks(event, UnitOfWork())
