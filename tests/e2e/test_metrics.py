"""GET /_/metrics on every function of make run's platform (SPEC §13): the counters agree
with what happened, the gauges are sampled from their owners' data, and no label holds an
id, a PAN or an account reference."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import requests
from prometheus_client.parser import text_string_to_metric_families

from runtime import stack
from runtime.probe import answers_200
from runtime.run import free_port
from shared import formats
from tests.conftest import ROOT
from tests.e2e.pairs import Flow
from tests.e2e.test_formats import on_a_day_of_its_own, onboard, submit
from tests.support import bearer, receipt_body, wait_until
from tests.unit.test_formats import ARTS_SALE, EXAMPLES, KIVRA_SALE

N = 5


def scrape(http, platform, name: str) -> dict[tuple[str, tuple], float]:
    """A function's samples: {(name, sorted labels): value}."""
    return read_metrics(http, f"http://127.0.0.1:{platform.function_ports[name]}/_/metrics")


def read_metrics(http, url: str) -> dict[tuple[str, tuple], float]:
    response = http.get(url)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: dict, name: str, **labels: str) -> float:
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


def test_every_function_serves_its_metrics(platform, http):
    for function in stack.load():
        samples = scrape(http, platform, function.name)
        assert ("receipts_unlinks_total", ()) in samples, function.name


def test_the_counters_agree_with_what_happened(platform, http):
    flow = Flow(platform)  # a merchant and a bank calling back one receiver
    merchant_key = flow.parties["merchant"]["api_key"]
    names = ("submit-receipt", "submit-payment", "match", "deliver-callbacks", "project-read-model")
    before = {name: scrape(http, platform, name) for name in names}

    for _ in range(N):
        flow.pair()
    replayed = receipt_body()  # unmatched: its payment never comes
    for status in (201, 200):
        response = http.post(f"{platform.url}/v1/receipts", json=replayed, headers=bearer(merchant_key))
        assert response.status_code == status, response.text
    rejected = http.post(
        f"{platform.url}/v1/receipts", json={**receipt_body(), "currency": "euros"}, headers=bearer(merchant_key)
    )
    assert rejected.status_code == 422, rejected.text
    wait_until(lambda: flow.called_back() >= flow.expected, timeout=30, message="every callback delivered")

    def grew(name: str, metric: str, **labels: str) -> float:
        return total(scrape(http, platform, name), metric, **labels) - total(before[name], metric, **labels)

    assert grew("submit-receipt", "receipts_submissions_total", kind="receipt", outcome="created") == N + 1
    assert grew("submit-receipt", "receipts_submissions_total", kind="receipt", outcome="duplicate") == 1
    assert grew("submit-receipt", "receipts_submissions_total", kind="receipt", outcome="rejected") == 1
    assert grew("submit-payment", "receipts_submissions_total", kind="payment", outcome="created") == N
    assert grew("match", "receipts_matches_total", rule="exact", card_key="pan") == N
    wait_until(
        lambda: grew("deliver-callbacks", "receipts_callbacks_total", outcome="delivered") >= 2 * N,
        timeout=10,
        message="the callbacks counted",
    )
    assert grew("deliver-callbacks", "receipts_callbacks_total", party="bank", outcome="delivered") >= N
    assert grew("submit-receipt", "receipts_function_requests_total", function="submit-receipt", code="201") == N + 1
    assert (
        grew("submit-receipt", "receipts_function_request_duration_seconds_count", function="submit-receipt") >= N + 3
    )
    # Every event the pairs produced was projected once: applied, and its lag observed.
    wait_until(
        lambda: grew("project-read-model", "receipts_projection_lag_seconds_count") >= 4 * N,
        timeout=10,
        message="the pairs' events projected",
    )
    assert (
        grew("project-read-model", "receipts_events_consumed_total", consumer="project-read-model", outcome="applied")
        >= 4 * N
    )
    assert grew("match", "receipts_events_consumed_total", consumer="match", outcome="applied") >= 2 * N

    # Gauges, sampled by their owners when scraped.
    relay = scrape(http, platform, "relay-outbox")
    assert ("receipts_outbox_unpublished", ()) in relay and ("receipts_outbox_oldest_unpublished_seconds", ()) in relay
    for name in ("project-read-model", "match", "deliver-callbacks"):
        queues = {
            dict(labels)["queue"]
            for sample, labels in scrape(http, platform, name)
            if sample == "receipts_queue_messages"
        }
        assert queues == {f"receipts.{name}", f"receipts.{name}.dlq"}, name
    assert ("receipts_ambiguities_open", ()) in scrape(http, platform, "list-ambiguities")

    # No label value is an id, a PAN or an account reference (payment_body's are acct-…).
    for function in stack.load():
        text = http.get(f"http://127.0.0.1:{platform.function_ports[function.name]}/_/metrics").text
        values = set(re.findall(r'="([^"]*)"', text))
        assert not {value for value in values if re.search(r"\d{6,}|[0-9a-f]{8}-[0-9a-f]{4}|acct", value)}, (
            function.name
        )


def test_the_tills_own_documents_are_counted_as_receipts(platform, http):
    """The owners' examples (Kivra's card sale, an ARTS sale) as a till sends them: created,
    then duplicates when sent again; one breaking Kivra's schema, rejected; one taken with a
    warning, counted by its format and code."""
    merchant = onboard(http, platform, "merchant")
    before = scrape(http, platform, "submit-receipt")
    # Each on a day no other test's receipt is on: left unmatched here, they must not make
    # another test's payment with the same card data ambiguous.
    documents = (
        (on_a_day_of_its_own(KIVRA_SALE.read_bytes(), "2018-11-09")[0], formats.KIVRA),
        (on_a_day_of_its_own(ARTS_SALE.read_bytes(), "2018-01-08")[0], "application/xml"),
    )
    for expected in (201, 200):
        for body, media_type in documents:
            taken = submit(http, platform, merchant, body, media_type)
            assert taken.status_code == expected, taken.text
    broken = json.loads(KIVRA_SALE.read_text())
    del broken["currency"]
    assert submit(http, platform, merchant, json.dumps(broken).encode(), formats.KIVRA).status_code == 422
    # Taken as printed: the variant's till misprinted a unit price, counted once (not again as a duplicate).
    misprinted = on_a_day_of_its_own(
        (EXAMPLES / "variants/kivra-misprinted-unit-price.json").read_bytes(), "2018-11-09"
    )[0]
    for expected in (201, 200):
        assert submit(http, platform, merchant, misprinted, formats.KIVRA).status_code == expected
    after = scrape(http, platform, "submit-receipt")
    assert {
        outcome: total(after, "receipts_submissions_total", kind="receipt", outcome=outcome)
        - total(before, "receipts_submissions_total", kind="receipt", outcome=outcome)
        for outcome in ("created", "duplicate", "rejected")
    } == {"created": 3, "duplicate": 3, "rejected": 1}
    assert {
        code: total(after, "receipts_document_warnings_total", format="kivra", code=code)
        - total(before, "receipts_document_warnings_total", format="kivra", code=code)
        for code in ("line_amount_mismatch", "vat_mismatch")
    } == {"line_amount_mismatch": 1, "vat_mismatch": 0}


def test_a_function_with_several_workers_counts_them_all(http, tmp_path):
    """WORKERS=2: each worker counts in prometheus_client's multiprocess directory, a scrape
    of either adds them up, and the directory goes when the server stops."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "runtime.serve", "--target", "submit_receipt", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "WORKERS": "2", "TMPDIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers_200(f"{url}/_/health"), timeout=30, message="the server answering")
        [directory] = tmp_path.glob("receipts-metrics-*")
        sent = 0

        def both_workers_counted() -> bool:
            """A new connection per request: which worker accepts it is the kernel's choice,
            so requests go on until each worker has served some."""
            nonlocal sent
            for _ in range(20):
                answer = requests.post(f"{url}/", json={}, timeout=10)
                assert answer.status_code == 401
                sent += 1
            # The arbiter's (its series at 0) and one per worker.
            return len(list(directory.glob("counter_*.db"))) == 3

        wait_until(both_workers_counted, timeout=60, message="both workers to serve a request")
        samples = read_metrics(http, f"{url}/_/metrics")
        assert total(samples, "receipts_function_requests_total", function="submit-receipt", code="401") == sent
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert not list(tmp_path.glob("receipts-metrics-*")), "the directory removed at the end"
