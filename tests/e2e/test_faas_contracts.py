"""What a FaaS engine and its connectors send each function (SPEC §9), to the functions as
`make run` starts them: `python -m runtime.serve`, the container's own command."""

import json

import pytest
from sqlalchemy import text

from runtime import stack
from shared.domain import events
from tests.e2e.test_read_api import submit_payment, submit_receipt
from tests.integration.test_bus import channel, listen  # noqa: F401 - channel is a fixture
from tests.integration.test_callbacks import Receiver
from tests.support import ADMIN_API_KEY, bearer, random_pan, remember, wait_until

CRON_CONNECTOR = {"X-Connector": "cron-connector", "X-Topic": "cron-function"}
QUEUE_CONTENT_TYPES = ["text/plain", "application/json", "application/cloudevents+json"]


def function_url(platform, name: str) -> str:
    return f"http://127.0.0.1:{platform.function_ports[name]}/"


def test_every_function_answers_the_engines_probes(platform, http):
    assert set(platform.function_ports) == {function.name for function in stack.load()}
    for name, port in platform.function_ports.items():
        for path in ("/_/health", "/_/ready"):
            response = http.get(f"http://127.0.0.1:{port}{path}")
            assert response.status_code == 200, (name, path, response.text)
    # Health also says how many requests the process took: how load spreads over replicas.
    before = http.get(f"http://127.0.0.1:{platform.function_ports['openapi']}/_/health").json()["requests"]
    http.get(f"{platform.url}/openapi.json")
    assert http.get(f"http://127.0.0.1:{platform.function_ports['openapi']}/_/health").json()["requests"] == before + 1


def completed_reconciliations(write_engine) -> int:
    with write_engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM outbox WHERE type = :type"), {"type": events.RECONCILIATION_COMPLETED}
        ).scalar_one()


def test_scheduled_functions_run_on_the_cron_connectors_empty_post(platform, http, write_engine):
    before = completed_reconciliations(write_engine)
    for function in filter(lambda function: function.scheduled, stack.load()):
        # requests sends no Content-Type for an empty body, as the cron-connector does.
        response = http.post(function_url(platform, function.name), data=b"", headers=CRON_CONNECTOR, timeout=120)
        assert 200 <= response.status_code < 300, (function.name, response.status_code, response.text)
    assert completed_reconciliations(write_engine) == before + 1


@pytest.fixture
def published(platform, http, channel):  # noqa: F811 - the fixture imported above, by name
    """The messages a real matched pair published, exactly as they went to RabbitMQ."""
    queues = {
        event_type: listen(channel, event_type)
        for event_type in (events.RECEIPT_SUBMITTED, events.PAYMENT_SUBMITTED, events.PAYMENT_MATCHED)
    }
    receiver = Receiver()
    parties = {}
    for kind in ("merchant", "bank"):
        party = http.post(
            f"{platform.url}/v1/admin/{kind}s",
            headers=bearer(ADMIN_API_KEY),
            json={"name": f"{kind} connectors", "callback_url": f"{receiver.url}/{kind}"},
        ).json()
        remember(party["api_key"], party["webhook_secret"])
        parties[kind] = party
    pan = random_pan()
    receipt = submit_receipt(http, platform, parties["merchant"], pan=pan)
    payment = submit_payment(http, platform, parties["bank"], pan=pan)

    def body_about(event_type, subject):
        def find():
            method, _, body = channel.basic_get(queues[event_type], auto_ack=True)
            return body if method and json.loads(body)["subject"] == subject else None

        return wait_until(find, message=f"{event_type} of {subject}")

    bodies = {
        "project-read-model": body_about(events.RECEIPT_SUBMITTED, receipt["id"]),
        "match": body_about(events.PAYMENT_SUBMITTED, payment["id"]),
        "deliver-callbacks": body_about(events.PAYMENT_MATCHED, payment["id"]),
    }
    wait_until(lambda: len(receiver.delivered) == 2, message="the pair's callbacks")
    return bodies, receiver


def test_queue_functions_take_the_message_as_published_under_any_content_type(platform, http, published):
    bodies, receiver = published
    assert set(bodies) == {function.name for function in stack.load() if function.queue_triggered}
    for name, body in bodies.items():
        for content_type in QUEUE_CONTENT_TYPES:
            response = http.post(
                function_url(platform, name),
                data=body,
                headers={"Content-Type": content_type, "X-Topic": json.loads(body)["type"]},
            )
            assert response.status_code == 200, (name, content_type, response.status_code, response.text)
    # Each delivery was the same event again: handled, and nobody called back twice.
    assert sorted(path for path, _, _ in receiver.delivered) == ["/bank", "/merchant"]


def test_a_body_that_is_no_event_is_refused_and_changes_nothing(platform, http):
    url = function_url(platform, "project-read-model")
    for body, content_type in [(b"receipt please", "text/plain"), (b'{"id": "x"}', "application/json"), (b"", None)]:
        response = http.post(url, data=body, headers={"Content-Type": content_type} if content_type else {})
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["code"] == "not_a_cloud_event"


def test_a_queue_function_takes_a_batch_and_answers_each_events_status(platform, http, published):
    bodies, receiver = published
    again = json.loads(bodies["deliver-callbacks"])  # handled already: handled again, nobody called twice
    poison = {**json.loads(bodies["project-read-model"]), "id": "not-a-uuid", "data": {"id": "not-a-uuid"}}
    batch = [again, poison]
    response = http.post(
        function_url(platform, "deliver-callbacks"),
        json=batch,
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    assert response.status_code == 200, response.text
    assert [(result["id"], result["status"]) for result in response.json()["results"]] == [
        (again["id"], 200),
        ("not-a-uuid", 200),
    ]
    # The projector applies a batch in one transaction; one poison event in it fails alone.
    projected = json.loads(bodies["project-read-model"])
    projector = http.post(
        function_url(platform, "project-read-model"),
        json=[projected, poison],
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    assert [result["status"] for result in projector.json()["results"]] == [200, 400]
    assert sorted(path for path, _, _ in receiver.delivered) == ["/bank", "/merchant"]
    for refused in ([], [{"id": "x"}], {"specversion": "1.0"}):
        answer = http.post(
            function_url(platform, "match"),
            json=refused,
            headers={"Content-Type": "application/cloudevents-batch+json"},
        )
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "not_a_cloud_event_batch"
