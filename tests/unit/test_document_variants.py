"""Documents no one here wrote, and real-world variants of them (tests/document_variants.py):
each taken as printed with exactly the warnings its figures call for, its card read as the
issuer knows it, and given back out in both formats, valid against the owners' schemas,
keeping what it printed; or refused for the one reason that decides."""

from __future__ import annotations

import json

import pytest

from shared import formats
from shared.domain.errors import ValidationFailed
from shared.domain.receipts import ReceiptSubmission
from shared.formats import arts, kivra
from tests.document_variants import OWNERS, VARIANTS, Document
from tests.unit.test_formats import MERCHANT, carried

DOCUMENTS = OWNERS + VARIANTS
TAKEN = [document for document in DOCUMENTS if document.payment]


def taken(document: Document) -> tuple[ReceiptSubmission, list]:
    read = formats.read(document.kind, document.body())
    return read.accepted(read.submission("SE", None))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: document.path)
def test_each_document_is_taken_with_its_warnings_or_refused_for_the_one_reason(document):
    if document.refused:
        with pytest.raises(ValidationFailed) as refused:
            taken(document)
        [detail] = refused.value.details
        assert (detail.field, detail.code) == document.refused
        assert detail.message.startswith("no card tender: the document is paid by ")
        return
    receipt, warnings = taken(document)
    assert [(warning.path, warning.code) for warning in warnings] == list(document.warnings)
    [card] = receipt.card_lines
    payment = document.payment
    assert card.masked_pan.endswith(payment.last4) and card.auth_code == payment.auth_code
    assert (card.amount, str(card.transaction_date)) == (payment.amount, payment.day)
    # Where the slip or the fields give them, they are the issuer's; a terminal's own serial is left out.
    assert card.rrn in (None, payment.rrn) and card.terminal_id in (None, payment.terminal_id)
    assert receipt.is_refund == (payment.kind == "refund")


@pytest.mark.parametrize("document", TAKEN, ids=lambda document: document.path)
def test_each_document_goes_back_out_valid_in_both_formats_keeping_what_it_printed(document):
    receipt, _ = taken(document)
    view = receipt.model_dump(mode="json") | {"id": "0b7a4f0e-3d4c-4a7e-8f3b-6b1f1a1c2d3e", "merchant": MERCHANT}
    as_kivra = kivra.document(view, MERCHANT, receipt.issued_at)
    as_arts = arts.document(view, MERCHANT, receipt.issued_at)
    assert kivra.schema_violations(as_kivra) == []
    assert arts.schema_violations(arts.parse(as_arts)) == []
    for kind, body in (("kivra", json.dumps(as_kivra).encode()), ("arts", as_arts)):
        read = formats.read(kind, body)
        again, _ = read.accepted(read.submission("SE", None))
        expected = carried(receipt, kind)
        assert again.lines == expected.lines, kind
        assert (again.discounts, again.totals, again.payments) == (
            expected.discounts,
            expected.totals,
            expected.payments,
        ), kind
        assert again.is_refund == receipt.is_refund


@pytest.mark.parametrize(
    "path, card",
    [
        # The slip prints Ref.nr (the RRN) and a 16-digit Termid (the terminal's serial, left out).
        ("variants/kivra-card-data-on-slip-only.json", ("************4108", "410808", "000410808008", None)),
        # The terminal's lines: AUT.KOD and the crossed-out number; REF is its own 6-digit number, Term its serial.
        ("variants/arts-card-data-on-terminal-lines.xml", ("************5107", "510707", None, None)),
    ],
)
def test_card_data_only_on_the_slip_is_read_exactly(path, card):
    [document] = [document for document in VARIANTS if document.path == path]
    [line] = taken(document)[0].card_lines
    assert (line.masked_pan, line.auth_code, line.rrn, line.terminal_id) == card
