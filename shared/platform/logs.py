"""Structured logging: one JSON object per event, to stdout or to Fluentd (SPEC §2).

Events are named in dotted past tense (``receipt.submitted``) and carry fields, never
request bodies. As a last line of defence every string that leaves this module has its
card-number-length digit runs masked.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
from datetime import UTC, datetime

from shared.platform.config import settings

_DIGIT_RUN = re.compile(r"\d{12,19}")


def scrub(text: str) -> str:
    """Mask every run of 12–19 digits: whatever it was, it may be a PAN."""
    return _DIGIT_RUN.sub(lambda m: m.group()[:6] + "*" * (len(m.group()) - 10) + m.group()[-4:], text)


def _record_dict(record: logging.LogRecord) -> dict:
    entry = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
        "level": record.levelname.lower(),
        "logger": record.name,
        "event": record.getMessage(),
        **getattr(record, "fields", {}),
    }
    if record.exc_info:
        entry["exception"] = logging.Formatter().formatException(record.exc_info)
    return json.loads(scrub(json.dumps(entry, default=str)))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_record_dict(record), separators=(",", ":"))


class _FluentFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> dict:  # type: ignore[override]  # fluent's handler sends dicts
        return _record_dict(record)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (so test capture sees it too)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


class _Handler(logging.Handler):
    """Picks stdout or Fluentd at the first record, so that importing this module reads
    no settings (admin processes complete the environment before anything logs)."""

    @functools.cached_property
    def target(self) -> logging.Handler:
        config = settings()
        if config.fluent_host:
            from fluent.handler import FluentHandler

            handler: logging.Handler = FluentHandler("receipts", host=config.fluent_host, port=config.fluent_port)
            handler.setFormatter(_FluentFormatter())
        else:
            handler = _StdoutHandler()
            handler.setFormatter(JsonFormatter())
        return handler

    def emit(self, record: logging.LogRecord) -> None:
        self.target.handle(record)


_root = logging.getLogger("receipts")
if not any(isinstance(handler, _Handler) for handler in _root.handlers):
    _root.addHandler(_Handler())
    _root.setLevel(logging.INFO)
    _root.propagate = False


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"receipts.{name}")


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields) -> None:
    logger.log(level, name, extra={"fields": fields})
