"""Response bodies of the write API: what a caller gets back, as models for the OpenAPI doc."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Status = Literal["unmatched", "matched"]


class PartyCredentials(BaseModel):
    """A new merchant or bank. api_key and webhook_secret are shown this once only."""

    id: str
    name: str
    callback_url: str
    api_key: str
    webhook_secret: str


class ReceiptAccepted(BaseModel):
    id: str
    status: Status
    merchant_receipt_id: str


class PaymentAccepted(BaseModel):
    id: str
    status: Status
    bank_payment_id: str
    masked_pan: str


class ErrorDetail(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class Error(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    dependencies: dict[str, Literal["up", "down"]]
