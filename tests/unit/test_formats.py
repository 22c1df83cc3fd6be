"""Kivra's receipt JSON and ARTS Digital Receipt, in and out (SPEC §12), on the documents
their owners publish (../shared/formats/) and on the simulated till's receipts: every
document the platform writes validates against its owner's schema, and what goes in comes
back out field by field."""

from __future__ import annotations

import copy
import json
import random
import time
from decimal import Decimal

import pytest

from shared import formats
from shared.domain.errors import MalformedDocument, ValidationFailed
from shared.domain.receipts import Dcc, ReceiptSubmission
from shared.formats import arts, kivra
from shared.formats.document import time_zone
from shared.simulation import parties
from tests.conftest import ROOT

EXAMPLES = ROOT / "tests" / "formats"  # the owners' examples, unchanged (README there)
KIVRA_SALE = EXAMPLES / "kivra" / "examples" / "sale-receipt-card-payment.json"
ARTS_SALE = EXAMPLES / "arts" / "examples" / "swe-standard-dr-sale-min-with-image-attachment.xml"
MERCHANT = {
    "id": "7d3f0f5e-3c1b-4a59-9d49-2f0c8d6f6a10",
    "name": "Sample Store",
    "legal_name": "Sample Store BB",
    "address": {"street": "Sparakvittotgatan 20", "postal_code": "77100", "city": "Ludvika", "country": "SE"},
    "vat_id": "SE556036079301",
    "kivra_service_id": "15594097552e6dfbe7ca6d4679acd8120c3344cc8c",
}


def examples(kind: str) -> list:
    folder = EXAMPLES / kind / "examples"
    return sorted(folder.glob("*.json" if kind == "kivra" else "*.xml"))


def imported(path) -> ReceiptSubmission:
    reader = kivra if path.suffix == ".json" else arts
    return reader.read(path.read_bytes()).submission(None, None).check()


def view(receipt: ReceiptSubmission, refund_of: str | None = None) -> dict:
    """The receipt as the read API shows it."""
    return receipt.model_dump(mode="json") | {
        "id": "0b7a4f0e-3d4c-4a7e-8f3b-6b1f1a1c2d3e",
        "merchant": MERCHANT,
        "refund_of": refund_of,
    }


def written(receipt: ReceiptSubmission, refund_of: str | None = None) -> tuple[dict, bytes]:
    return kivra.document(view(receipt, refund_of), MERCHANT, receipt.issued_at), arts.document(
        view(receipt, refund_of), MERCHANT, receipt.issued_at
    )


def same_receipt(again: ReceiptSubmission, receipt: ReceiptSubmission) -> None:
    assert again.lines == receipt.lines
    assert again.discounts == receipt.discounts
    assert again.totals == receipt.totals
    assert again.payments == receipt.payments
    assert again.issued_at == receipt.issued_at and again.currency == receipt.currency


def test_kivras_card_sale_is_read_exactly_in_minor_units():
    receipt = imported(KIVRA_SALE)
    assert receipt.merchant_receipt_id == "0144079"  # the extended number the return links by
    assert [
        (line.quantity, line.unit_price, line.amount, [d.amount for d in line.discounts], line.vat_rate)
        for line in receipt.lines
    ] == [(1, 27900, 19530, [8370], 25), (2, 20900, 29270, [12530], 25)]
    assert receipt.totals.model_dump() == {
        "subtotal": 48800,
        "tax": 9760,
        "tip": 0,
        "rounding": 0,
        "total": 48800,
        "vat": [{"rate": Decimal(25), "net": 39040, "vat": 9760, "gross": 48800}],
    }
    [card] = receipt.card_lines
    assert (card.masked_pan, card.auth_code, card.rrn, card.terminal_id, card.amount) == (
        "************3602",
        "025965",
        "000295749077",
        "73200801",
        48800,
    )
    assert (str(card.transaction_date), str(card.transaction_time)) == ("2018-11-09", "11:07:00")


def test_the_arts_card_sale_lists_its_items_without_prices_and_its_card_as_printed():
    receipt = imported(ARTS_SALE)
    assert [(line.description, line.quantity, line.amount) for line in receipt.lines] == [
        ("7263", 1, None),
        ("9442", 1, None),
    ]
    assert (receipt.totals.subtotal, receipt.totals.total) == (3500, 3500)
    [card] = receipt.card_lines
    # The approval code, the RRN and the terminal are printed only on the slip it attaches ("K/1 7 000 SWE 784547").
    assert (card.masked_pan, card.auth_code, card.rrn, card.terminal_id, card.amount) == (
        "************1380",
        "784547",
        "501009148370",
        "50201912",
        3500,
    )


@pytest.mark.parametrize("path", [KIVRA_SALE, ARTS_SALE], ids=lambda path: path.name)
@pytest.mark.parametrize("refund_of", [None, "5b0d3f36-0a43-4f53-9d65-4a3c9e0c2f4f"], ids=["sale", "return"])
def test_every_card_example_goes_back_out_valid_in_both_formats_and_reads_back_the_same(path, refund_of):
    receipt = imported(path)
    kivra_document, arts_document = written(receipt, refund_of)
    assert kivra.schema_violations(kivra_document) == []
    assert arts.schema_violations(arts.parse(arts_document)) == []
    for reader, document in (
        (kivra, kivra.read(json.dumps(kivra_document).encode())),
        (arts, arts.read(arts_document)),
    ):
        # A return's link sits on its items; Kivra's text items (lines without prices) have none.
        unlinked = reader is kivra and receipt.lines[0].amount is None
        assert document.original == (None if unlinked else refund_of)
        again = document.submission(None, None).check()
        expected = receipt
        if path == ARTS_SALE and document.receipt["lines"][0]["sku"] is None:
            # Kivra's text items (a line without its price) carry no item id.
            expected = receipt.model_copy(
                update={"lines": [line.model_copy(update={"sku": None}) for line in receipt.lines]}
            )
        same_receipt(again, expected)


def test_kivras_document_out_keeps_the_examples_items_vat_discounts_totals_and_tender_field_by_field():
    given = json.loads(KIVRA_SALE.read_text())
    out, _ = written(imported(KIVRA_SALE))
    for theirs, ours in zip(given["items"], out["items"]):
        for field in (
            "description",
            "quantity",
            "regular_sales_unit_price",
            "extended_amount",
            "extended_gross_amount",
            "tax_percentage",
        ):
            assert ours[field] == theirs[field], field
        assert ours["extended_discount_amount"] == round(theirs["extended_gross_amount"] - theirs["extended_amount"], 2)
    [vat] = [total for total in out["totals"] if total["type"] == "vat"]
    [their_vat] = [total for total in given["totals"] if total["type"] == "vat"]
    assert vat["amount"] == their_vat["amount"]
    assert [(entry["tax_percentage"], entry["amount"]) for entry in vat["sub_totals"]] == [
        (entry["tax_percentage"], entry["amount"]) for entry in their_vat["sub_totals"]
    ]
    # Kivra's taxable_amount includes the VAT, as its documentation says (the example's 390.40 is the net).
    assert vat["sub_totals"][0]["taxable_amount"] == 488.0 and vat["sub_totals"][0]["net_amount"] == 390.4
    amounts = {total["type"]: total["amount"] for total in out["totals"]}
    assert (amounts["paid"], amounts["net"]) == (488.0, 390.4)
    [tender] = out["payments"]
    [their_tender] = given["payments"]
    for field in (
        "bank_identification_number",
        "approval_code",
        "retrieval_reference_number",
        "card_acceptor_terminal_id",
    ):
        assert tender["tender"][field] == their_tender["tender"][field]
    assert (tender["amount"], tender["tender"]["type"]) == (their_tender["amount"], "creditdebit")


def test_the_arts_document_out_keeps_the_examples_lines_total_and_card():
    _, out = written(imported(ARTS_SALE))
    root = arts.parse(out)
    given = arts.parse(ARTS_SALE.read_bytes())
    path = "a:Transaction/a:RetailTransaction/"
    assert [item.text for item in root.iterfind(path + "a:LineItem/a:Sale/a:POSIdentity/a:POSItemID", arts._N)] == [
        item.text for item in given.iterfind(path + "a:LineItem/a:Sale/a:POSIdentity/a:POSItemID", arts._N)
    ]
    for element in (
        "a:Total[@TotalType='TransactionGrandAmount']",
        "a:LineItem/a:Tender/a:CreditDebit/a:PrimaryAccountNumber",
        "a:LineItem/a:Tender/a:Amount",
    ):
        assert root.findtext(path + element, namespaces=arts._N) == given.findtext(path + element, namespaces=arts._N)


def carried(receipt: ReceiptSubmission, kind: str) -> ReceiptSubmission:
    """The receipt as the format carries its item ids: ARTS numbers an item that has none,
    Kivra's deposits and text items (a line without its price) carry none."""
    lines = [
        line.model_copy(
            update={"sku": None if line.vat_exemption == "deposit" or line.amount is None else line.sku}
            if kind == "kivra"
            else {"sku": line.sku or str(number)}
        )
        for number, line in enumerate(receipt.lines, 1)
    ]
    return receipt.model_copy(update={"lines": lines})


def test_the_simulated_tills_receipts_go_out_valid_and_come_back_the_same():
    rng = random.Random(22)
    for number in range(150):
        invoice = parties.ring_up(rng)
        total = invoice["totals"]["total"]
        cash = [{"type": "cash", "amount": total // 3}] if number % 5 == 0 else []
        card_amount = total - sum(tender["amount"] for tender in cash)
        parties.round_cash(invoice, cash)
        card = {
            "masked_pan": rng.choice(["**** **** **** 4242", "424242******4242", None]),
            "auth_code": "A1B2C3",
            "amount": card_amount,
            "currency": "EUR",
            "transaction_date": "2026-12-02",
            "transaction_time": "11:30:00",
            "terminal_id": rng.choice(["T0001", "CC000001"]),
            "rrn": f"{number:012d}",
        }
        body = {
            "merchant_receipt_id": f"POS-{number}",
            "issued_at": "2026-12-02T11:30:00+01:00",
            "currency": "EUR",
            **invoice,
            "payments": [card, *cash],
        }
        for kind in ("kivra", "arts"):
            document, media = parties.till_document(body, kind)
            assert media == formats.OFFERED[kind]
            if kind == "kivra":
                assert kivra.schema_violations(json.loads(document)) == []
            else:
                assert arts.schema_violations(arts.parse(document)) == []
            expected = carried(ReceiptSubmission.model_validate_json(json.dumps(body)).check(), kind)
            same_receipt(formats.read(kind, document).submission(None, None).check(), expected)


def test_a_document_that_breaks_its_owners_schema_is_refused_at_its_path():
    document = json.loads(KIVRA_SALE.read_text())
    del document["currency"]
    document["items"][1]["extended_amount"] = "292.70"
    document["payments"][0]["tender"]["type"] = "giftcard"
    with pytest.raises(ValidationFailed) as refused:
        kivra.read(json.dumps(document).encode())
    # The gift card branch of the tender's oneOf is the one meant: its missing fields, and
    # the card fields it does not take.
    assert [(violation.field, violation.code) for violation in refused.value.details] == [
        ("/", "schema_required"),
        ("/items/1/extended_amount", "schema_type"),
        ("/payments/0/tender", "schema_required"),
        ("/payments/0/tender", "schema_required"),
        ("/payments/0/tender", "schema_additionalProperties"),
    ]
    assert "card_number" in refused.value.details[2].message

    xml = ARTS_SALE.read_bytes().replace(b"<nam:Amount>35.00</nam:Amount>", b"<nam:Amount>35,00</nam:Amount>")
    with pytest.raises(ValidationFailed) as refused:
        arts.read(xml)
    [violation] = refused.value.details
    assert (
        violation.field
        == ("/nam:DigitalReceipt/nam:Transaction/nam:RetailTransaction/nam:LineItem[3]/nam:Tender/nam:Amount")
        and "35,00" not in violation.message
    )
    assert "Amount" in violation.message


def test_what_the_till_printed_is_taken_with_warnings_at_the_documents_paths():
    document = json.loads(KIVRA_SALE.read_text())
    document["items"][0]["extended_amount"] = 195.305  # a tenth of an öre
    document["payments"][0]["amount"] = 480.0
    read = kivra.read(json.dumps(document).encode())
    receipt, warnings = read.accepted(read.submission(None, None))
    assert receipt.lines[0].amount == 19531 and receipt.card_lines[0].amount == 48000
    assert [(warning.path, warning.code) for warning in warnings] == [
        ("/items/0/extended_amount", "amount_precision"),
        ("/items/0/extended_amount", "line_amount_mismatch"),
        ("/totals/1/sub_totals/0", "vat_base_mismatch"),
        ("/totals/3", "total_mismatch"),
        ("/payments", "payments_total_mismatch"),
    ]
    assert "(the receipt's payments)" in warnings[-1].message


def test_a_card_tender_whose_amount_cannot_be_told_is_refused_at_its_path():
    document = json.loads(KIVRA_SALE.read_text())
    document["payments"][0]["amount"] = 488.005
    with pytest.raises(ValidationFailed) as refused:
        kivra.read(json.dumps(document).encode())
    assert [(violation.field, violation.code) for violation in refused.value.details] == [
        ("/payments/0/amount", "amount_precision")
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><l>&d;</l>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'.encode(
            "utf-16"
        ),
        b"<unclosed>",
    ],
    ids=["external entity", "billion laughs", "utf-16 entity", "not well-formed"],
)
def test_xml_with_a_dtd_or_entities_is_refused_unread(body):
    started = time.monotonic()
    with pytest.raises(MalformedDocument) as refused:
        arts.read(body)
    assert time.monotonic() - started < 1
    assert "root:" not in refused.value.message


def test_a_local_time_is_read_in_the_merchants_countrys_time_zone():
    document = json.loads(KIVRA_SALE.read_text())
    document["time_of_purchase"] = "2018-11-09T11:07:00"
    read = kivra.read(json.dumps(document).encode())
    assert read.needs_time_zone
    assert read.submission("SE", None).issued_at.isoformat() == "2018-11-09T11:07:00+01:00"
    with pytest.raises(ValidationFailed) as refused:
        read.submission(None, None)
    assert [(violation.field, violation.code) for violation in refused.value.details] == [
        ("/time_of_purchase", "time_zone_unknown")
    ]
    assert (str(time_zone("DE")), str(time_zone("US")), time_zone("XX")) == ("Europe/Berlin", "America/New_York", None)


def test_a_kivra_return_names_its_original_and_a_sale_none():
    document = json.loads((EXAMPLES / "kivra" / "examples" / "min-return-receipt-cash-payment.json").read_text())
    document["payments"][0]["tender"] = json.loads(KIVRA_SALE.read_text())["payments"][0]["tender"]
    assert kivra.read(json.dumps(document).encode()).original == "0123456123"
    assert kivra.read(KIVRA_SALE.read_bytes()).original is None


@pytest.mark.parametrize(
    "accept, kind",
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/json", "json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("application/xml", "arts"),
        ("text/xml", "arts"),
        (formats.KIVRA, "kivra"),
        ("application/json;q=0.5, application/xml", "arts"),
        ('application/json; profile="https://example.com/other"', None),
        ("image/png", None),
        ("application/json;q=0", None),
    ],
)
def test_accept_chooses_among_what_is_offered(accept, kind):
    assert formats.negotiate(accept) == kind


def test_the_kivra_document_needs_the_merchants_kivra_service_id_address_and_tax_id():
    assert kivra.missing(MERCHANT) == []
    bare = copy.deepcopy(MERCHANT)
    del bare["kivra_service_id"], bare["address"]
    assert kivra.missing(bare) == ["kivra_service_id", "address"]


def test_amounts_are_converted_exactly_by_the_currencys_minor_unit():
    from shared.domain.money import to_major, to_minor

    assert [
        to_minor(Decimal(value), currency)
        for value, currency in (
            ("488.00", "SEK"),
            ("97.6", "SEK"),
            ("0.1", "EUR"),
            ("1000", "JPY"),
            ("1.234", "KWD"),
            ("4.005", "EUR"),
            ("0.5", "JPY"),
        )
    ] == [48800, 9760, 10, 1000, 1234, None, None]
    assert str(to_major(48800, "SEK")) == "488.00" and str(to_major(1000, "JPY")) == "1000"


def test_a_figure_no_receipt_can_hold_is_refused_at_its_path_in_words():
    document = json.loads(KIVRA_SALE.read_text())
    document["items"][0]["quantity"]["value"] = 0
    document["receipt_identifier"]["extended_number"]["value"] = "0" * 65
    read = kivra.read(json.dumps(document).encode())
    with pytest.raises(ValidationFailed) as refused:
        read.submission(None, None)
    assert [(violation.field, violation.code) for violation in refused.value.details] == [
        ("/receipt_identifier", "invalid_value"),
        ("/items/0/quantity/value", "invalid_value"),
    ]
    assert all("_" not in violation.message.split(" (")[0] for violation in refused.value.details)
    assert "(the receipt's lines[0].quantity)" in refused.value.details[1].message


def test_numbers_written_with_trailing_zeros_are_what_they_say():
    document = json.loads(KIVRA_SALE.read_text())
    body = (
        json.dumps(document)
        .replace('"tax_percentage": 25', '"tax_percentage": 25.000')
        .replace('"value": 2,', '"value": 2.0000,')
    )
    receipt, warnings = taken(kivra.read(body.encode()))
    assert [(line.quantity, line.vat_rate) for line in receipt.lines] == [(1, 25), (2, 25)] and warnings == []


def test_a_discount_of_nothing_or_with_nothing_to_go_over_is_noticed_never_refused():
    document = json.loads(KIVRA_SALE.read_text())
    document["retail_price_modifiers"] = [
        {"amount": 0, "description": {"type": "array", "collection": ["Kampanj"]}},
        {"amount": 10.0, "item_links": [7]},  # an item the receipt does not have
    ]
    document["payments"].append({"tender": {"type": "cash"}, "amount": 0})  # a cash line of nothing
    receipt, warnings = taken(kivra.read(json.dumps(document).encode()))
    assert [(discount.amount, [share.line for share in discount.shares]) for discount in receipt.discounts] == [
        (1000, [0, 1])
    ]  # shared over every priced line
    assert [tender.amount for tender in receipt.payments] == [48800]
    assert ("/retail_price_modifiers/1", "discount_line_unknown") in [
        (warning.path, warning.code) for warning in warnings
    ]


def taken(read) -> tuple[ReceiptSubmission, list]:
    return read.accepted(read.submission("SE", None))


def test_two_discounts_on_one_item_both_come_off_its_rate():
    document = json.loads((EXAMPLES / "variants" / "kivra-receipt-discount.json").read_text())
    # 400.00 off, as two 200.00 discounts on both items: the 25 % base is 88.00, VAT 17.60 in it.
    document["retail_price_modifiers"] = [
        {"amount": 200.0, "item_links": [1, 2]},
        {"amount": 200.0, "item_links": [1, 2]},
    ]
    vat = next(total for total in document["totals"] if total["type"] == "vat")
    vat["amount"] = 17.6
    vat["sub_totals"] = [{"amount": 17.6, "tax_percentage": 25, "taxable_amount": 88.0, "net_amount": 70.4}]
    next(total for total in document["totals"] if total["type"] == "paid")["amount"] = 88.0
    document["payments"][0]["amount"] = document["payments"][0]["amount_applied_to_bill"] = 88.0
    receipt, warnings = taken(kivra.read(json.dumps(document).encode()))
    assert receipt.totals.vat[0].gross == 8800 and warnings == []


def test_a_par_and_dcc_go_out_to_kivra_valid_and_come_back_all_but_the_markup():
    receipt = imported(KIVRA_SALE)
    dcc = Dcc(currency="EUR", amount=4245, exchange_rate="11.4956", markup_percent="3.5")
    line = receipt.payments[0].model_copy(update={"par": "V0010013018294182416718291746", "dcc": dcc})
    out, _ = written(receipt.model_copy(update={"payments": [line]}))
    assert kivra.schema_violations(out) == []
    [tender] = out["payments"]
    assert tender["tender"]["card_token"] == {"value": "V0010013018294182416718291746", "scheme": "par"}
    assert tender["foreign_currency_amount"] == {
        "currency": "EUR",
        "original_face_amount": 42.45,
        "exchange_rate": 11.4956,
    }
    [again] = kivra.read(json.dumps(out).encode()).submission(None, None).check().payments
    assert (again.par, again.dcc) == (line.par, dcc.model_copy(update={"markup_percent": None}))


def test_cashback_goes_out_to_kivra_as_charged_beyond_the_bill_and_comes_back():
    receipt = imported(KIVRA_SALE)
    card = receipt.payments[0]
    line = card.model_copy(update={"amount": card.amount + 2000, "cashback": 2000})
    out, _ = written(receipt.model_copy(update={"payments": [line]}))
    assert kivra.schema_violations(out) == []
    [tender] = out["payments"]
    assert tender["amount"] - tender["amount_applied_to_bill"] == 20.0
    [again] = kivra.read(json.dumps(out).encode()).submission(None, None).check().payments
    assert (again.amount, again.cashback) == (line.amount, 2000)


def test_a_kivra_card_token_is_a_par_only_under_its_scheme_and_form():
    given = json.loads(KIVRA_SALE.read_text())
    tender = given["payments"][0]["tender"]
    for token, par in (
        ({"value": "V0010013018294182416718291746", "scheme": "par"}, "V0010013018294182416718291746"),
        ({"value": "V0010013018294182416718291746", "scheme": "payment_provider_scheme"}, None),
        ({"value": "not-a-par", "scheme": "par"}, None),
    ):
        tender["card_token"] = token
        [line] = kivra.read(json.dumps(given).encode()).submission(None, None).check().payments
        assert line.par == par


def test_cashback_and_dcc_go_out_to_arts_valid_and_come_back_all_but_the_markup():
    receipt = imported(ARTS_SALE)
    dcc = Dcc(currency="EUR", amount=4245, exchange_rate="11.4956", markup_percent="3.5")
    card = receipt.payments[0]
    line = card.model_copy(update={"amount": card.amount + 2000, "cashback": 2000, "dcc": dcc})
    _, out = written(receipt.model_copy(update={"payments": [line]}))
    assert arts.schema_violations(arts.parse(out)) == []
    [again] = arts.read(out).submission(None, None).check().payments
    assert (again.amount, again.cashback, again.dcc) == (
        line.amount,
        2000,
        dcc.model_copy(update={"markup_percent": None}),
    )
