"""Card data wherever a slip prints it (SPEC §12): each layout the formats' owners show in
their examples and documentation, read into the card line — and what only looks like card
data left alone, since a wrong value keeps a receipt from its payment."""

from __future__ import annotations

import json

import pytest

from shared.formats import arts, kivra
from shared.formats.document import Slip, card_line, read_slip
from tests.unit.test_formats import ARTS_SALE, KIVRA_SALE


def card_of(document) -> dict:
    reader = kivra if isinstance(document, dict) else arts
    body = json.dumps(document).encode() if isinstance(document, dict) else document
    read = reader.read(body)
    [card] = read.submission("SE", None).card_lines
    return {
        "masked_pan": card.masked_pan,
        "auth_code": card.auth_code,
        "rrn": card.rrn,
        "terminal_id": card.terminal_id,
    }


def test_kivras_payment_slip_labels_in_the_text_and_starred_digits_in_groups():
    document = json.loads(KIVRA_SALE.read_text())
    tender = document["payments"][0]["tender"]
    slip = tender["payment_slip"]
    document["payments"][0]["tender"] = {"type": "creditdebit", "payment_slip": slip}
    slip["collection"][slip["collection"].index("Ca2 1 ___ TEL 315 L99029")] = "K/1 5 000 SWE 025965"
    # "Termid: 7320080100029574" is the terminal's serial, longer than ISO 8583's DE41: left out.
    assert card_of(document) == {
        "masked_pan": "************3602",
        "auth_code": "025965",
        "rrn": "000295749077",
        "terminal_id": None,
    }


def test_two_slips_in_one_collection_give_the_first_ones_card():
    # Kivra's example prints the customer's slip, then a second transaction's: ************8796, Ref.nr 301005397477.
    document = json.loads(KIVRA_SALE.read_text())
    document["payments"][0]["tender"] = {
        "type": "creditdebit",
        "payment_slip": document["payments"][0]["tender"]["payment_slip"],
    }
    card = card_of(document)
    assert (card["masked_pan"], card["rrn"]) == ("************3602", "000295749077")


def test_the_arts_attachments_text_lines_joined_by_nl_markers():
    # Fiskens kiosk: "Debit MasterCard ************1380{NL}… Ref: 501009148370{NL}Butiksnr: 9763044
    # Termid: 1 / 50201912{NL}{NL}K/1 7 000 SWE 784547": the number is also in the tender's field.
    body = ARTS_SALE.read_bytes().replace(
        b"<nam:PrimaryAccountNumber>KioqKioqKioqKioqMTM4MA==</nam:PrimaryAccountNumber>", b""
    )
    body = body.replace(
        b'<nam:CreditDebit CardType="Debit">\n                        \n                    </nam:CreditDebit>', b""
    )
    assert card_of(body) == {
        "masked_pan": "************1380",
        "auth_code": "784547",
        "rrn": "501009148370",
        "terminal_id": "50201912",
    }


def test_the_arts_terminals_own_lines_with_their_labels_in_attributes():
    # As the Swedish extension's documentation shows se:PaymentTerminal.
    terminal = """<se:PaymentTerminal xmlns:se="http://www.sweretailstandard.se/schemas/namespace/se">
        <se:Text>Personlig kod</se:Text><se:Text>XXXXXXXXXXXX1234</se:Text><se:Text>VISA</se:Text>
        <se:Text Name="Term:">27605R101-154734</se:Text><se:Text Name="IB1:">Butiksnr. 120006</se:Text><se:Text/>
        <se:Text Name="ATC:">00038</se:Text><se:Text Name="AID:">A0000000041010</se:Text>
        <se:Text Name="ARC:">00 STATUS:0000</se:Text><se:Text Name="AUT.KOD:">319318</se:Text>
        <se:Text Name="REF:">154734</se:Text><se:Text>TVR: 00 80 00 80 00</se:Text></se:PaymentTerminal>"""
    body = ARTS_SALE.read_bytes()
    tender = body[body.index(b'<nam:Tender TypeCode="Sale"') : body.index(b"</nam:Tender>")]
    body = body.replace(
        tender,
        b'<nam:Tender TypeCode="Sale" TenderType="CreditDebit"><nam:Amount>35.00</nam:Amount>' + terminal.encode(),
    )
    body = body.replace(b"<se:Attachment", b"<se:Removed").replace(b"</se:Attachment>", b"</se:Removed>")
    body = body[: body.index(b"<se:Removed")] + body[body.index(b"</se:Removed>") + len(b"</se:Removed>") :]
    # REF: 154734 is the terminal's own reference, not an RRN's 12 characters; Term: its serial.
    assert card_of(body) == {"masked_pan": "************1234", "auth_code": "319318", "rrn": None, "terminal_id": None}


@pytest.mark.parametrize(
    "printed, masked_pan",
    [
        ("XXXX XXXX XXXX 1234", "************1234"),
        ("**** **** **** 3602", "************3602"),
        ("Debit MasterCard ************1380", "************1380"),
        ("VISA 458199******3602", "458199******3602"),
        ("Kort: •••• •••• •••• 4242", "************4242"),
        ("527500**********", None),  # the first six only: nothing to match the last 4 on
        ("TVR: 00 80 00 80 00", None),  # spaced digits, nothing masked: not a card
        ("AID: A0000000041010", None),
    ],
    ids=lambda value: str(value),
)
def test_card_digits_spaced_starred_or_crossed_out(printed, masked_pan):
    assert read_slip([printed]).masked_pan == masked_pan


@pytest.mark.parametrize(
    "printed, auth_code",
    [
        ("AUT.KOD: 319318", "319318"),
        ("Auth code: A1B2C3", "A1B2C3"),
        ("AUTH CODE 112233", "112233"),
        ("Godk.kod: 123456", "123456"),
        ("Godkännandekod: 654321", "654321"),
        ("Genehmigungs-Nr.: 765432", "765432"),
        ("Approval code: ZX81AB", "ZX81AB"),
        ("K/1 7 000 SWE 784547", "784547"),
        ("Ca2 1 ___ TEL 315 L99029", None),  # a verification line of another form: not read
    ],
)
def test_the_approval_code_in_its_usual_places(printed, auth_code):
    assert read_slip([printed]).auth_code == auth_code


@pytest.mark.parametrize(
    "printed, rrn, terminal_id",
    [
        ("Ref.nr: 000295749077", "000295749077", None),
        ("Ref: 501009148370", "501009148370", None),
        ("RRN 633012345678", "633012345678", None),
        ("REF: 154734", None, None),
        ("Termid: 1 / 50201912", None, "50201912"),
        ("Term.id: T-42", None, "T-42"),
        ("Terminal: 73200801", None, "73200801"),
        ("Termid: 7320080100029574", None, None),
        ("Term: 27605R101-154734", None, None),
        ("Datum:08.01.2018 Tid:08:57:34", None, None),  # Swedish "Tid" is the time, not a terminal id
    ],
)
def test_the_acquirers_reference_and_terminal(printed, rrn, terminal_id):
    slip = read_slip([printed])
    assert (slip.rrn, slip.terminal_id) == (rrn, terminal_id)


def test_a_tenders_own_fields_come_before_its_slip_and_a_first_six_only_number_leaves_the_reference():
    # Kivra's documentation: "bank_identification_number": "527500**********", RRN and terminal in their fields.
    slip = Slip(masked_pan="************9999", auth_code="999999", rrn="999999999999", terminal_id="T9")

    def card(fields: Slip, on_slip: Slip) -> tuple:
        line = card_line(fields, on_slip, 2499, "SEK", None)
        return line["masked_pan"], line["auth_code"], line["rrn"], line["terminal_id"]

    assert card(Slip("527500**********", "123456", "996933866525", "13848718"), slip) == (
        "************9999",
        "123456",
        "996933866525",
        "13848718",
    )
    assert card(Slip("527500**********", None, "996933866525", "13848718"), Slip()) == (
        None,
        None,
        "996933866525",
        "13848718",
    )


def test_an_attachment_that_is_not_text_is_not_read():
    body = ARTS_SALE.read_bytes().replace(b'xmime:contentType="text/plain"', b'xmime:contentType="image/png"')
    assert card_of(body)["auth_code"] is None
