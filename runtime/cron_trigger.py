"""Cron trigger: invokes the scheduled functions of template.yaml on their schedules.

The local counterpart of OpenFaaS's cron-connector (`topic: cron-function` plus
`schedule: "*/5 * * * *"`), and it calls a function the same way: at each matching minute
a POST with an empty body and the connector's headers (the function's server turns that
into a `receipts.schedule.fired.v1` event, runtime/serve.py). A run still going when the
next falls due is not started twice.

    python -m runtime.cron_trigger --url relay-outbox=http://127.0.0.1:8085/
    python -m runtime.cron_trigger --upstream 'http://gateway.openfaas:8080/function/{name}'
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from runtime import stack
from shared.platform import logs, outbound

_log = logs.get("cron_trigger")

# What OpenFaaS's cron-connector sends with its empty POST.
CONNECTOR_HEADERS = {"X-Connector": "cron-connector", "X-Topic": "cron-function"}
_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]


def _field_values(spec: str, low: int, high: int) -> frozenset[int]:
    values = set()
    for part in spec.split(","):
        part, _, step = part.partition("/")
        if part == "*":
            start, end = low, high
        elif "-" in part:
            start, end = (int(bound) for bound in part.split("-", 1))
        else:
            start = end = int(part)
        if not (low <= start <= end <= high):
            raise ValueError(f"{spec!r} is outside {low}-{high}")
        values.update(range(start, end + 1, int(step) if step else 1))
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    """A five-field cron expression: minute hour day-of-month month day-of-week."""

    expression: str
    fields: tuple[frozenset[int], ...] = field(init=False, compare=False)

    def __post_init__(self):
        parts = self.expression.split()
        if len(parts) != 5:
            raise ValueError(f"{self.expression!r}: a cron schedule has five fields")
        fields = tuple(_field_values(part, low, high) for part, (low, high) in zip(parts, _RANGES))
        object.__setattr__(self, "fields", fields)

    def due(self, moment: datetime) -> bool:
        minute, hour, day, month, weekday = self.fields
        return (
            moment.minute in minute
            and moment.hour in hour
            and moment.day in day
            and moment.month in month
            and (moment.isoweekday() % 7) in weekday
        )


@dataclass
class Job:
    name: str
    schedule: Schedule
    url: str
    running: threading.Lock = field(default_factory=threading.Lock)

    def fire(self) -> None:
        if not self.running.acquire(blocking=False):
            logs.event(_log, "schedule.skipped", logging.WARNING, function=self.name, reason="still running")
            return
        threading.Thread(target=self._invoke, daemon=True).start()

    def _invoke(self) -> None:
        try:
            # No Content-Type: the cron-connector sends none with its empty body.
            response = outbound.post(self.url, b"", CONNECTOR_HEADERS, timeout=300)
            if 200 <= response.status < 300:
                logs.event(_log, "schedule.ran", function=self.name, status=response.status)
            else:
                logs.event(_log, "schedule.failed", logging.WARNING, function=self.name, status=response.status)
        except outbound.FAILED as error:
            logs.event(_log, "schedule.failed", logging.WARNING, function=self.name, error=str(error)[:200])
        finally:
            self.running.release()


def run(jobs: list[Job], stopping: threading.Event) -> None:
    # The minute the trigger starts in has begun without it: the first firing is the next.
    last_minute = datetime.now(UTC).replace(second=0, microsecond=0)
    while not stopping.is_set():
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        if now != last_minute:
            last_minute = now
            for job in jobs:
                if job.schedule.due(now):
                    job.fire()
        stopping.wait(1.0 - (datetime.now().microsecond / 1e6))


def jobs_for(upstream: str, urls: dict[str, str]) -> list[Job]:
    """A job per scheduled function of template.yaml, calling urls[name] or the upstream pattern."""
    return [
        Job(function.name, Schedule(function.schedule), urls.get(function.name) or upstream.format(name=function.name))
        for function in stack.load()
        if function.scheduled
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Invoke the scheduled functions of template.yaml.")
    parser.add_argument("--upstream", default="http://{name}:8080/", help="URL of each function, by its name")
    parser.add_argument("--url", action="append", default=[], help="NAME=URL of one function (overrides --upstream)")
    args = parser.parse_args()
    jobs = jobs_for(args.upstream, dict(pair.split("=", 1) for pair in args.url))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    logs.event(_log, "schedule.started", jobs={job.name: job.schedule.expression for job in jobs})
    run(jobs, stopping)


if __name__ == "__main__":
    main()
