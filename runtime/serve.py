"""One function of template.yaml, served the way every engine runs it (SPEC §9).

The container's command, and what `make run` starts for each function: functions-framework's
app for FUNCTION_TARGET, behind the contracts a FaaS engine and its connectors expect.

- `GET /_/health` answers 200 and `GET /_/ready` 200 when the function has what it needs
  (the paths OpenFaaS probes), whatever the function's own routes are; without a secret
  it declared (shared.entrypoints.readiness), ready answers 503 naming it.
- `GET /_/metrics` answers the function's metrics in Prometheus's text format (SPEC §13,
  shared.platform.metrics): every other request counted by status code and timed.
- A connector-triggered (CloudEvent) function takes the connectors' calls as they come: a
  queue connector POSTs the message body exactly as published (a structured CloudEvent)
  under `text/plain`, `application/json` or `application/cloudevents+json`; the
  cron-connector POSTs an empty body with no Content-Type, which becomes a
  `receipts.schedule.fired.v1` event. Anything else is a 400, never a guess.
- A queue function also takes several events in one request, in CloudEvents' batched
  mode (`application/cloudevents-batch+json`, a JSON array): our queue trigger sends what
  has piled up that way, so a busy consumer pays for one HTTP request per batch rather
  than per event. It answers 200 with each event's own status, as a request of its own
  would have had: `{"results": [{"id", "status", "message"}, …]}`.

    FUNCTION_TARGET=submit_receipt python -m runtime.serve [--host 0.0.0.0] [--port 8080]
"""

from __future__ import annotations

import argparse
import http
import io
import itertools
import json
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime

import flask
import functions_framework
from functions_framework._http import create_server
from gunicorn.errors import HaltServer

from runtime import queue_trigger, stack
from shared.domain import events
from shared.entrypoints import consumers, readiness
from shared.entrypoints.http import MAX_BODY_BYTES
from shared.platform import bus, metrics

PROBES = ("/_/health", "/_/ready")
METRICS = "/_/metrics"
MAX_BATCH_EVENTS = 64
# On SIGTERM, gunicorn lets requests in flight finish for this long: well inside the
# 10 s an engine waits before it kills (docker stop, Kubernetes' default is 30 s).
GRACEFUL_STOP_SECONDS = 5


class Contracts:
    """WSGI middleware: the FaaS engine's probes and connector calls in front of the app."""

    def __init__(self, app, function: stack.Function):
        self.app = app
        self.function = function
        # Requests this process took (probes aside), on /_/health: how load spreads over replicas.
        self._served = itertools.count(1)
        self.requests = 0

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in PROBES:
            return self._probe(environ, start_response)
        if environ.get("PATH_INFO") == METRICS:
            return self._metrics(start_response)
        self.requests = next(self._served)
        started = time.perf_counter()
        answered = []

        def start_counted(status, headers, exc_info=None):
            answered.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self._serve(environ, start_counted)
        finally:
            # Flask has built the whole body by now: the time is the function's.
            metrics.request(
                self.function.name, int(answered[-1][:3]) if answered else 500, time.perf_counter() - started
            )

    def _serve(self, environ, start_response):
        if (
            self.function.queue_triggered
            and environ.get("REQUEST_METHOD") == "POST"
            and environ.get("CONTENT_TYPE", "").startswith(bus.BATCH_CONTENT_TYPE)
        ):
            return self._batch(environ, start_response)
        if self.function.topic and environ.get("REQUEST_METHOD") == "POST":
            refusal = self._as_structured_event(environ)
            if refusal:
                status, code, message = refusal
                return _json(start_response, status, {"error": {"code": code, "message": message, "details": []}})
        return self.app(environ, start_response)

    def _probe(self, environ, start_response):
        if environ["PATH_INFO"] == "/_/ready":
            unready = readiness.unready(self.function.target)
            if unready:
                return _json(start_response, 503, {"status": "not_ready", "function": self.function.name, **unready})
        return _json(start_response, 200, {"status": "ok", "function": self.function.name, "requests": self.requests})

    def _metrics(self, start_response):
        payload = metrics.exposition()
        start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Content-Length", str(len(payload)))])
        return [payload]

    def _batch(self, environ, start_response):
        """Each event of a batch handled as its own request would be; their statuses."""
        handle = consumers.BY_NAME.get(self.function.target)
        body = environ["wsgi.input"].read(MAX_BATCH_EVENTS * MAX_BODY_BYTES + 1)
        try:
            events = json.loads(body)
        except ValueError:
            events = None
        if (
            handle is None
            or not isinstance(events, list)
            or not 0 < len(events) <= MAX_BATCH_EVENTS
            or not all(isinstance(event, dict) and "specversion" in event and "id" in event for event in events)
        ):
            return _json(
                start_response,
                400,
                {
                    "error": {
                        "code": "not_a_cloud_event_batch",
                        "details": [],
                        "message": f"send a JSON array of 1 to {MAX_BATCH_EVENTS} structured CloudEvents, or one event alone",
                    }
                },
            )
        outcomes = handle([consumers.structured(event) for event in events])
        return _json(
            start_response,
            200,
            {
                "results": [
                    {"id": event["id"], "status": status, "message": message}
                    for event, (status, message) in zip(events, outcomes)
                ]
            },
        )

    def _as_structured_event(self, environ) -> tuple[int, str, str] | None:
        """Rewrite a connector's call as a structured CloudEvent request, or say why not."""
        if "HTTP_CE_SPECVERSION" in environ:
            return None  # binary mode: the CloudEvent is in the headers already
        body = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return 413, "payload_too_large", f"an event is at most {MAX_BODY_BYTES // 1024} KiB"
        if not body.strip():
            if not self.function.scheduled:
                return 400, "not_a_cloud_event", "an empty body is only a schedule's call, and this function has none"
            body = json.dumps(schedule_fired(self.function)).encode()
        else:
            try:
                event = json.loads(body)
            except ValueError:
                return 400, "not_a_cloud_event", "the body is not JSON: send the event as it was published"
            if not isinstance(event, dict) or "specversion" not in event:
                return 400, "not_a_cloud_event", "the body is not a structured CloudEvent (no specversion)"
        environ["CONTENT_TYPE"] = bus.CONTENT_TYPE
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        return None


def schedule_fired(function: stack.Function) -> dict:
    """The event of one firing of a function's schedule."""
    event = bus.envelope(
        uuid.uuid4(), events.SCHEDULE_FIRED, function.name, datetime.now(UTC), {"schedule": function.schedule}
    )
    event["source"] = "urn:receipts:cron"
    return event


def _json(start_response, status: int, body: dict):
    payload = json.dumps(body).encode()
    start_response(
        f"{status} {http.HTTPStatus(status).phrase}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def create_app(target: str) -> flask.Flask:
    """The function named target, as functions-framework builds it, behind the contracts."""
    function = stack.by_target(target)
    app = functions_framework.create_app(target, str(stack.ROOT / function.source))
    app.wsgi_app = Contracts(app.wsgi_app, function)
    if function.queue_triggered:
        consumer = queue_trigger.consumer_for(function)
        depths = bus.QueueDepths((consumer.queue, consumer.dead_letter_queue))

        @metrics.sampled
        def queue_messages():
            return [metrics.queue_messages(depths())]

    # A path the framework's own router refuses (a newline in it, say) gets the SPEC's
    # JSON error, not Flask's HTML page.
    for status, code, message in (
        (404, "not_found", "no such endpoint"),
        (405, "method_not_allowed", "this method is not allowed on this path"),
    ):
        app.register_error_handler(status, _error_handler(status, code, message))
    return app


def _error_handler(status: int, code: str, message: str):
    def handle(error) -> flask.Response:
        response = flask.Response(
            json.dumps({"error": {"code": code, "message": message, "details": []}}),
            status,
            mimetype="application/json",
        )
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    return handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve one function of template.yaml.")
    parser.add_argument(
        "--target",
        default=os.environ.get("FUNCTION_TARGET"),
        help="the function's Python name (default: $FUNCTION_TARGET)",
    )
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8080))
    args = parser.parse_args()
    if not args.target:
        parser.error("name the function: --target or FUNCTION_TARGET")
    os.environ["FUNCTION_TARGET"] = args.target  # what its settings (and connections) say it serves
    app = create_app(args.target)
    create_server(
        app,
        False,
        # gunicorn's control socket is for an operator's shell, which a container has
        # not; under a user without a home (USER nobody) it only logs a permission error.
        control_socket_disable=True,
        graceful_timeout=GRACEFUL_STOP_SECONDS,
        worker_exit=_exit_at_once,
        on_exit=lambda arbiter: _exit_at_once(arbiter),
    ).run(args.host, args.port)


def _exit_at_once(arbiter, worker=None) -> None:
    """gunicorn's worker_exit and on_exit hook: a process whose requests are done ends
    without the interpreter's teardown of every loaded module. That teardown costs about
    0.2 s of CPU per process: seconds on end when a whole stack of functions stops at once
    (docker compose down)."""
    if worker is not None and worker.pid != os.getpid():
        return  # the arbiter reaping a worker that died: not this process's end
    if worker is None:
        metrics.close()  # the arbiter's end: its workers are gone, and their metrics with them
    error = sys.exc_info()[1]
    if isinstance(error, HaltServer):
        status = error.exit_status
    elif isinstance(error, SystemExit):
        status = error.code if isinstance(error.code, int) else 1
    else:
        status = 0 if error is None or isinstance(error, (StopIteration, KeyboardInterrupt)) else 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
