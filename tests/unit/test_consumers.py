"""How a CloudEvent function's outcome reaches the trigger: 200 ack, 400 dead-letter at
once, 503 retry (shared.entrypoints.consumers)."""

import pytest

from shared.domain.errors import PoisonEvent
from shared.entrypoints import consumers, readiness
from shared.entrypoints.consumers import consumer
from shared.platform.config import ConfigurationError, Settings

EVENT = {"id": "e-1", "type": "receipts.receipt.submitted.v1", "subject": None, "time": None, "data": {}}


def outcome(handler) -> tuple[int, str]:
    consumer(handler)
    [result] = consumers.BY_NAME[handler.__name__]([EVENT])
    return result


def test_a_function_missing_its_configuration_asks_for_the_event_again_instead_of_dead_lettering_it():
    def needs_a_secret(event):
        raise ConfigurationError("PLATFORM_SECRET is not set")

    assert outcome(needs_a_secret) == (503, "the function is misconfigured; retry")


def test_a_poison_event_is_dead_lettered_at_once():
    def refuses(event):
        raise PoisonEvent("no such receipt")

    assert outcome(refuses) == (400, "no such receipt")


def test_a_function_declares_what_it_needs_by_the_settings_names():
    def signs(event):
        pass

    consumer(needs=("PLATFORM_SECRET",))(signs)
    assert readiness.needs("signs") == ("PLATFORM_SECRET",)
    with pytest.raises(ValueError, match="PLATFROM_SECRET"):
        consumer(needs=("PLATFROM_SECRET",))(signs)


def test_settings_say_which_needed_secrets_are_missing():
    given = Settings.from_env({"PLATFORM_SECRET": "s", "SECRETS_DIR": "/nonexistent"})
    assert given.missing(("ADMIN_API_KEY", "PLATFORM_SECRET")) == ["ADMIN_API_KEY"]
    assert Settings.from_env({"SECRETS_DIR": "/nonexistent"}).missing(("PLATFORM_SECRET",)) == ["PLATFORM_SECRET"]


def consumed(consumer_name: str, outcome_name: str) -> float:
    from prometheus_client import REGISTRY

    return (
        REGISTRY.get_sample_value(
            "receipts_events_consumed_total", {"consumer": consumer_name, "outcome": outcome_name}
        )
        or 0.0
    )


def test_what_came_of_each_event_is_counted_by_outcome():
    from shared.platform import metrics

    def counted_consumer(event):
        if event["id"] == "seen":
            metrics.repeated(event["id"])
        elif event["id"] == "poison":
            raise PoisonEvent("no such receipt")
        elif event["id"] == "busy":
            raise ConnectionRefusedError("the database restarts")

    consumer(counted_consumer)
    batch = [{**EVENT, "id": event_id} for event_id in ("new", "seen", "poison", "busy")]
    before = {
        outcome_name: consumed("counted-consumer", outcome_name)
        for outcome_name in ("applied", "duplicate", "dead_lettered", "retried")
    }
    assert [status for status, _ in consumers.BY_NAME["counted_consumer"](batch)] == [200, 200, 400, 503]
    assert {
        outcome_name: consumed("counted-consumer", outcome_name) - count for outcome_name, count in before.items()
    } == {"applied": 1, "duplicate": 1, "dead_lettered": 1, "retried": 1}
