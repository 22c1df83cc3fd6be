"""template.yaml, the OpenFaaS stack file, read as the list of functions to run."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STACK_FILE = ROOT / "template.yaml"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {param} placeholders, e.g. /v1/receipts/{id}

    @functools.cached_property  # the gateway matches it on every request
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(self.path)) + "$")


@dataclass(frozen=True)
class Function:
    name: str  # the deployment name, e.g. submit-receipt
    target: str  # the decorated Python callable, e.g. submit_receipt
    routes: tuple[Route, ...]  # HTTP functions: one or more, comma-separated in the annotation
    topic: str | None  # connector-triggered functions (queue topic or cron-function)
    schedule: str | None  # cron functions
    retry_delays_ms: tuple[int, ...] | None = None  # queue-triggered: the trigger's backoff
    batch_linger_ms: int = 0  # queue-triggered: how long a batch waits for more events

    @property
    def source(self) -> str:
        """Its file, relative to the repository root: functions/<target>/main.py."""
        return f"functions/{self.target}/main.py"

    @property
    def http(self) -> bool:
        return bool(self.routes)

    @property
    def scheduled(self) -> bool:
        return self.topic == "cron-function"

    @property
    def queue_triggered(self) -> bool:
        return self.topic is not None and not self.scheduled


_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def duration_ms(value: str) -> int:
    """ "500ms", "1s", "1h" as milliseconds."""
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a duration like 500ms, 1s, 5m or 1h")
    return int(match.group(1)) * _UNITS_MS[match.group(2)]


def _backoff(annotations: dict) -> tuple[int, ...] | None:
    """retry_initial, doubling up to retry_cap, until retry_window has passed."""
    if "retry_initial" not in annotations:
        return None
    delay, cap, window = (duration_ms(annotations[key]) for key in ("retry_initial", "retry_cap", "retry_window"))
    delays, total = [], 0
    while total < window:
        delays.append(delay)
        total += delay
        delay = min(delay * 2, cap)
    return tuple(delays)


def expand(value: str, environ=os.environ) -> str:
    """${NAME} and ${NAME:-default} as faas-cli substitutes them in a stack file."""
    return re.sub(
        r"\$\{(\w+)(?::-([^}]*))?\}", lambda match: environ.get(match.group(1)) or match.group(2) or "", str(value)
    )


def load(path: Path = STACK_FILE) -> list[Function]:
    stack = yaml.safe_load(path.read_text())
    functions = []
    for name, spec in stack["functions"].items():
        environment = spec.get("environment") or {}
        annotations = spec.get("annotations") or {}
        routes = tuple(
            Route(method.upper(), route_path)
            for method, route_path in (
                route.split() for route in annotations.get("route", "").split(",") if route.strip()
            )
        )
        functions.append(
            Function(
                name=name,
                target=environment["FUNCTION_TARGET"],
                routes=routes,
                topic=annotations.get("topic"),
                schedule=expand(annotations["schedule"]) if "schedule" in annotations else None,
                retry_delays_ms=_backoff(annotations),
                batch_linger_ms=duration_ms(annotations.get("batch_linger", "0ms")),
            )
        )
    return functions


def by_target(target: str) -> Function:
    """The function whose Python name is target."""
    for function in load():
        if function.target == target:
            return function
    raise SystemExit(f"FUNCTION_TARGET={target!r} names no function of template.yaml")
