"""kill -9 of the projector while 2,000 events flow: every submission ends in the read
model exactly once."""

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from shared.domain.parties import MERCHANT, OPERATOR, Party, PartyRegistration
from shared.domain.receipts import ReceiptSubmission
from shared.platform import bus
from shared.platform.db import read_engine
from shared.write import services
from shared.write.unit_of_work import UnitOfWork
from tests.e2e.conftest import wait_until
from tests.support import LOCAL_CALLBACK, receipt_body, remember

SUBMISSIONS = 2000


def projected(merchant_id) -> tuple[int, int]:
    with read_engine().connect() as connection:
        row = connection.execute(
            text(
                "SELECT count(*) AS receipts, count(DISTINCT merchant_receipt_id) AS distinct_ids"
                " FROM receipt_views WHERE merchant_id = :id"
            ),
            {"id": merchant_id},
        ).one()
    return row.receipts, row.distinct_ids


def test_killing_the_projector_mid_flow_loses_and_duplicates_nothing(platform):
    credentials = services.register_party(
        MERCHANT, PartyRegistration(name="crash", callback_url=LOCAL_CALLBACK), OPERATOR, UnitOfWork()
    )
    remember(credentials.api_key, credentials.webhook_secret)
    merchant = Party(MERCHANT, credentials.id)
    receipts = [ReceiptSubmission.model_validate_json(json.dumps(receipt_body())) for _ in range(SUBMISSIONS)]

    def submit(receipt):
        services.submit_receipt(receipt, merchant, UnitOfWork())

    [projector] = [
        pid
        for pid in platform.children()
        if "--target project_read_model" in open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
    ]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(submit, receipt) for receipt in receipts]
        wait_until(lambda: projected(credentials.id)[0] >= 200, timeout=60, message="the flow to be under way")
        exits = platform.exits("project-read-model")
        os.kill(projector, signal.SIGKILL)
        at_kill = projected(credentials.id)[0]
        for future in futures:
            future.result()
    assert at_kill < SUBMISSIONS, "the kill came too late to prove anything"
    wait_until(
        lambda: projected(credentials.id) == (SUBMISSIONS, SUBMISSIONS),
        timeout=120,
        interval=0.5,
        message="every submission in the read model",
    )
    assert platform.exits("project-read-model") > exits
    # The matcher still has 2,000 submissions to look at: let it finish before the next
    # test, whose events would otherwise wait behind them.
    # (Seconds on a quiet machine; minutes when the VM is contended.)
    wait_until(lambda: queued("receipts.match") == 0, timeout=300, interval=0.5, message="the match queue drained")


def queued(queue: str) -> int:
    connection = bus.connect()
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()
