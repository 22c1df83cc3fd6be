"""Dependency checks for /healthz."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Engine, text

from shared.platform import bus
from shared.platform.db import read_engine, write_engine


def _database_up(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to answer is "down"; the reason goes to no one
        return False


def _broker_up() -> bool:
    try:
        bus.connect().close()
        return True
    except Exception:  # any failure to connect is "down"
        return False


def check() -> Health:
    dependencies = {
        "write_database": "up" if _database_up(write_engine()) else "down",
        "read_database": "up" if _database_up(read_engine()) else "down",
        "rabbitmq": "up" if _broker_up() else "down",
    }
    status = "ok" if all(state == "up" for state in dependencies.values()) else "degraded"
    return Health(status=status, dependencies=dependencies)


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    dependencies: dict[str, Literal["up", "down"]]
