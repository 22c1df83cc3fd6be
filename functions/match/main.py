"""Queue-triggered: matches each submitted receipt or payment against what is open (SPEC §5)."""

import functions_framework

from shared import services
from shared.consumers import consumer
from shared.db import UnitOfWork


@functions_framework.cloud_event
@consumer
def match(event):
    services.match_submission(event, UnitOfWork())
