"""template.yaml, the OpenFaaS stack file, read as the list of functions to run."""

from __future__ import annotations

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

    @property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(self.path)) + "$")


@dataclass(frozen=True)
class Function:
    name: str  # the deployment name, e.g. submit-receipt
    target: str  # the decorated Python callable, e.g. submit_receipt
    source: str  # relative to the repository root, e.g. functions/submit_receipt/main.py
    route: Route | None  # HTTP functions
    topic: str | None  # connector-triggered functions (queue topic or cron-function)
    schedule: str | None  # cron functions

    @property
    def http(self) -> bool:
        return self.route is not None

    @property
    def scheduled(self) -> bool:
        return self.topic == "cron-function"

    @property
    def queue_triggered(self) -> bool:
        return self.topic is not None and not self.scheduled


def load(path: Path = STACK_FILE) -> list[Function]:
    stack = yaml.safe_load(path.read_text())
    functions = []
    for name, spec in stack["functions"].items():
        environment = spec.get("environment") or {}
        annotations = spec.get("annotations") or {}
        route = None
        if "route" in annotations:
            method, route_path = annotations["route"].split()
            route = Route(method.upper(), route_path)
        functions.append(
            Function(
                name=name,
                target=environment["FUNCTION_TARGET"],
                source=environment["FUNCTION_SOURCE"],
                route=route,
                topic=annotations.get("topic"),
                schedule=annotations.get("schedule"),
            )
        )
    return functions
