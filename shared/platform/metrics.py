"""What the platform did, in Prometheus's terms (SPEC §13): GET /_/metrics on every function.

Counters and histograms live in their process (they start at 0 when it restarts, which
Prometheus's rate() copes with) and are counted where the work happens, once it has
committed. Gauges are sampled when scraped, by the function that owns their data
(`sampled`): the relay the outbox, each consumer its queues, the ambiguity list the open
sets. Label values are bounded sets — never an id, a PAN or an account reference.

A function served by several worker processes (WORKERS > 1) counts in prometheus_client's
multiprocess mode: each worker writes its values to a directory made before the workers
fork, and a scrape of any one of them adds them all up.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator

_made_directory = None
if int(os.environ.get("WORKERS") or 1) > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Before prometheus_client is imported: it picks how values are kept when it is.
    _made_directory = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="receipts-metrics-")

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from shared.domain import events
from shared.platform import logs

# The text format every Prometheus 2 reads (our names and labels need nothing newer).
CONTENT_TYPE = prometheus_client.exposition.CONTENT_TYPE_PLAIN_0_0_4
# A *_created series per counter would double what a scrape sends, for no query we make.
prometheus_client.disable_created_metrics()
_log = logs.get("metrics")

FUNCTION_REQUESTS = Counter(
    "receipts_function_requests", "Requests a function answered, by status code", ["function", "code"]
)
FUNCTION_DURATION = Histogram(
    "receipts_function_request_duration_seconds",
    "Time a function took to answer",
    ["function"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SUBMISSIONS = Counter(
    "receipts_submissions", "Receipts and payments submitted, by what came of them", ["kind", "outcome"]
)
MATCHES = Counter(
    "receipts_matches",
    "Receipts and payments matched, by the rule that matched them and what established the card",
    ["rule", "card_key"],
)
UNLINKS = Counter("receipts_unlinks", "Matches the operator undid")
CALLBACKS = Counter("receipts_callbacks", "Callbacks sent, by receiver and what came of them", ["party", "outcome"])
EVENTS_CONSUMED = Counter(
    "receipts_events_consumed", "Events a consumer took, by what came of them", ["consumer", "outcome"]
)
DOCUMENT_WARNINGS = Counter(
    "receipts_document_warnings",
    "Rules a till's document broke, taken as printed, by its format and the rule's code",
    ["format", "code"],
)
AUTH_FAILURES = Counter(
    "receipts_auth_failures",
    "Requests refused for their credentials, by reason: no key (unauthenticated), an unknown or"
    " deleted key (invalid_key), an expired one (key_expired), another party's (forbidden), a bound"
    " bank's key without its certificate (client_certificate_mismatch)",
    ["reason"],
)
PROJECTION_LAG = Histogram(
    "receipts_projection_lag_seconds",
    "From an event's time to its projection",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

# Known label values start at 0, so that rate() and sum() see a series before its first event.
for _kind in ("receipt", "payment"):
    for _outcome in ("created", "duplicate", "rejected"):
        SUBMISSIONS.labels(_kind, _outcome)
for _party in ("bank", "merchant"):
    for _outcome in ("delivered", "retried", "failed"):
        CALLBACKS.labels(_party, _outcome)

# What came of a submission, by the status its endpoint answered: a replay of the same
# document is 200; the rest of 4xx is the document or its request refused.
_SUBMITTED = {201: "created", 200: "duplicate"}
_NOT_A_SUBMISSION = {401, 403, 404, 405, 406, 429}


@functools.cache
def _series(metric, *labels: str):
    """metric's series for these label values, found once: labels() takes a lock and
    builds a key on every call, a few µs each on every request (the values are bounded)."""
    return metric.labels(*labels)


def submission(kind: str, status: int) -> None:
    outcome = _SUBMITTED.get(status) or (
        "rejected" if 400 <= status < 500 and status not in _NOT_A_SUBMISSION else None
    )
    if outcome:
        _series(SUBMISSIONS, kind, outcome).inc()


def request(function: str, code: int, seconds: float) -> None:
    _series(FUNCTION_REQUESTS, function, str(code)).inc()
    _series(FUNCTION_DURATION, function).observe(seconds)


def committed(recorded: Iterable) -> None:
    """Count the matches (by matching and by the operator) and the unlinks a write-model
    transaction committed, by the events it recorded. (A reconciliation sweep's matches
    are recorded in the outbox by SQL alone: the run counts them, `matched`.)"""
    for event in recorded:
        if event.type == events.PAYMENT_MATCHED:
            _series(MATCHES, event.data.get("match_rule") or "unknown", event.data.get("card_key") or "none").inc()
        elif event.type == events.MATCH_UNLINKED:
            UNLINKS.inc()


def auth_failure(reason: str) -> None:
    _series(AUTH_FAILURES, reason).inc()


def document_warnings(document_format: str, codes: Iterable[str]) -> None:
    for code in codes:
        _series(DOCUMENT_WARNINGS, document_format, code).inc()


def matched(rule: str, card_key: str, payments: int) -> None:
    _series(MATCHES, rule, card_key).inc(payments)


def callback(party: str, outcome: str) -> None:
    _series(CALLBACKS, party, outcome).inc()


# --- gauges sampled at scrape time ----------------------------------------------------------

Sample = Callable[[], Iterable[GaugeMetricFamily]]
_samplers: list[Sample] = []


def sampled(sample: Sample) -> Sample:
    """Register a function's gauges, read from its data when scraped (decorator)."""
    _samplers.append(sample)
    return sample


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def queue_messages(depths: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "receipts_queue_messages", "Messages ready in a consumer's queue or dead-letter queue", labels=["queue"]
    )
    for queue, messages in depths.items():
        family.add_metric([queue], messages)
    return family


class _Sampled:
    """The registered samplers, as one collector; a sampler that fails (its database is
    down, say) leaves its gauges out of that scrape rather than failing the others."""

    def collect(self):
        for sample in _samplers:
            try:
                yield from sample()
            except Exception as error:  # the scrape goes on; the gap shows on a graph
                logs.event(
                    _log, "metrics.sample_failed", logging.WARNING, sampler=sample.__name__, error=type(error).__name__
                )


_MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if not _MULTIPROCESS:
    prometheus_client.REGISTRY.register(_Sampled())


def exposition() -> bytes:
    """Every metric of this function, in Prometheus's text format."""
    if not _MULTIPROCESS:
        return prometheus_client.generate_latest()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(_Sampled())
    return prometheus_client.generate_latest(registry)


def close() -> None:
    """The server's workers have ended: remove the directory they counted in, if it was ours."""
    if _made_directory:
        shutil.rmtree(_made_directory, ignore_errors=True)


# --- events consumed -------------------------------------------------------------------------

_repeated: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("repeated", default=None)


@contextlib.contextmanager
def consuming(consumer: str) -> Iterator[Callable[[str, int], None]]:
    """Count what came of the events a consumer handles inside: yields count(event_id,
    status), status as the trigger reads it (2xx applied, or a duplicate if the handler
    called repeated() on it; 400 dead-lettered; anything else retried)."""
    repeated: set[str] = set()
    token = _repeated.set(repeated)

    def count(event_id: str, status: int) -> None:
        outcome = (
            ("duplicate" if event_id in repeated else "applied")
            if status < 300
            else "dead_lettered"
            if status == 400
            else "retried"
        )
        _series(EVENTS_CONSUMED, consumer, outcome).inc()

    try:
        yield count
    finally:
        _repeated.reset(token)


def repeated(event_id: str) -> None:
    """The event being consumed was handled before (an idempotent consumer's claim found it)."""
    seen = _repeated.get()
    if seen is not None:
        seen.add(event_id)


def forget_repeated() -> None:
    """The handling rolled back: what it found repeated may not be (each event is tried alone next)."""
    seen = _repeated.get()
    if seen is not None:
        seen.clear()
