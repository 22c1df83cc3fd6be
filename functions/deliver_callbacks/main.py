"""Queue-triggered: signed callbacks to the bank and the merchant of each match (SPEC §6)."""

import functions_framework

from shared import services
from shared.consumers import consumer
from shared.unit_of_work import UnitOfWork


@functions_framework.cloud_event
@consumer
def deliver_callbacks(event):
    services.deliver_callbacks(event, UnitOfWork())
