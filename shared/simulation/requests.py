"""Request bodies of the simulated parties' endpoints."""

from __future__ import annotations

from typing import Literal

from shared.domain.base import RequestModel, Text


class PartyCredentials(RequestModel):
    kind: Literal["merchant", "bank"]
    id: Text(64)
    api_key: Text(200)
    webhook_secret: Text(200)


class Checkout(RequestModel):
    account_ref: Text(64)
