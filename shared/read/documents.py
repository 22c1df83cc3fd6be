"""A receipt view written out as the document a bank app reads natively (SPEC §12): Kivra's
retail receipt or an ARTS Digital Receipt, each valid against its owner's schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from shared import formats
from shared.domain.errors import NotAcceptable
from shared.formats import arts, kivra
from shared.formats.document import time_zone


def document(kind: str, receipt: dict, merchant: dict) -> tuple[bytes, str]:
    """The receipt as a kivra or arts document and its media type; merchant is the
    merchant's whole identity (its Kivra service id included). 406 when Kivra's document
    needs what the merchant has not given."""
    address = merchant.get("address") or {}
    issued_at = datetime.fromisoformat(receipt["issued_at"]).astimezone(time_zone(address.get("country")) or UTC)
    if kind == "arts":
        return arts.document(receipt, merchant, issued_at), formats.ARTS
    missing = kivra.missing(merchant)
    if missing:
        raise NotAcceptable(
            f"Kivra's receipt needs the merchant's {', '.join(missing)}, which it has not given"
            " (PATCH /v1/admin/merchants/{id} sets them); ask for another representation"
        )
    body = json.dumps(kivra.document(receipt, merchant, issued_at), ensure_ascii=False, separators=(",", ":"))
    return body.encode(), formats.KIVRA
