"""Request bodies of the simulated parties' endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.domain.base import RequestModel, Text


class PartyCredentials(RequestModel):
    """The admin API's answer for a party, as it came, with the party's kind."""

    kind: Literal["merchant", "bank"]
    id: Annotated[str, Text(64)]
    api_key: Annotated[str, Text(200)]
    webhook_secret: Annotated[str, Text(200)]
    name: Annotated[str, Text(200)] | None = None  # in the admin API's answer; the simulator keeps only the keys
    callback_url: Annotated[str, Text(2048)] | None = None


class Checkout(RequestModel):
    # Room left for the suffix of the cardholder's foreign account.
    account_ref: Annotated[str, Text(60)]
    # How the cardholder pays (SPEC §14); drawn from the realistic mix if not given.
    scenario: Literal["card", "wallet", "wallet_par", "cashback", "dcc", "void"] | None = None
    # The format the till sends its receipt in (SPEC §12): the platform's JSON, Kivra's or ARTS.
    format: Literal["json", "kivra", "arts"] = "json"


class CallbackLogQuery(BaseModel):
    """A query string: its values arrive as text, so not strict."""

    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime
