"""Queue-triggered: matches each submitted receipt or payment against what is open (SPEC §5)."""

import functions_framework

from shared.entrypoints.consumers import consumer
from shared.write import services
from shared.write.unit_of_work import UnitOfWork


def match_together(events):
    # A batch in one transaction: its keys locked and claimed in one statement each.
    services.match_submissions(events, UnitOfWork())


@functions_framework.cloud_event
@consumer(together=match_together)
def match(event):
    services.match_submissions([event], UnitOfWork())
