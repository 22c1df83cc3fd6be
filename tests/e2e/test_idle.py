"""An idle platform with short heartbeats: the first pairs after the idle are called back
at once, not after the outbox relay's next round.

The quiet platform (conftest) negotiates 5 s heartbeats with RabbitMQ, was warmed up when
the e2e tests began, and has had nothing sent to it since: the broker drops any connection
whose heartbeats went unanswered, without a goodbye.
"""

from __future__ import annotations

import time

import requests

from tests.support import wait_until

IDLE_SECONDS = 40


def wait_out_the_idle(flow) -> None:
    """Until nothing has been sent to the platform for IDLE_SECONDS (the scenario is an idle
    platform; other tests run meanwhile)."""
    time.sleep(max(0.0, flow.idle_since + IDLE_SECONDS - time.monotonic()))


def test_after_idling_with_short_heartbeats_each_pair_is_called_back_at_once(quiet_platform):
    flow = quiet_platform
    wait_out_the_idle(flow)
    latencies = []
    for _ in range(8):
        started = time.monotonic()
        receipt_id, payment_id = flow.pair()
        wait_until(
            lambda: {receipt_id, payment_id} <= flow.called_back(),
            timeout=30,
            interval=0.01,
            message="the pair called back",
        )
        latencies.append(time.monotonic() - started)
    # Nothing waited for the outbox relay (its grace alone is 10 s).
    assert '"outbox.publish_deferred"' not in flow.platform.log_text(), latencies
    assert max(latencies) < 5, latencies
    print(
        f"idle {IDLE_SECONDS} s with 5 s heartbeats, then pairs called back in "
        + ", ".join(f"{latency * 1000:.0f} ms" for latency in latencies)
    )


def test_after_idling_a_scrape_still_reads_the_queues(quiet_platform):
    # The broker dropped the connection the last scrape kept, while the platform idled.
    wait_out_the_idle(quiet_platform)
    platform = quiet_platform.platform
    text = requests.get(f"http://127.0.0.1:{platform.function_ports['match']}/_/metrics", timeout=10).text
    assert 'receipts_queue_messages{queue="receipts.match"}' in text
    assert '"metrics.sample_failed"' not in platform.log_text()
