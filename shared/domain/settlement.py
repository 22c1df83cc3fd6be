"""The operator's decisions on matches (SPEC §11)."""

from __future__ import annotations

import uuid

from shared.domain.base import RequestModel
from shared.domain.money import Integer


class ManualMatch(RequestModel):
    """POST /v1/admin/matches: this payment pays this receipt (its only open card line, or line_no)."""

    receipt_id: uuid.UUID
    payment_id: uuid.UUID
    line_no: Integer(1, 1000) | None = None
