"""Kivra's retail receipt JSON v1.1 (DRJSON), in and out (SPEC §12).

Amounts are major-unit decimals; a card tender carries ISO 8583's card data; VAT per rate
is the `vat` total's sub_totals; a return item names its original by receipt_reference.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from jsonschema import Draft6Validator

from shared.domain.errors import MalformedRequest, ValidationFailed, Violation
from shared.domain.money import half_up, to_major
from shared.domain.receipts import PIECE, sale_or_refund
from shared.formats import KIVRA_NEEDS
from shared.formats.document import (
    Imported,
    Line,
    Problems,
    Slip,
    card_line,
    carried,
    discount,
    no_card_payment,
    printed_receipt,
    read_slip,
)

_KIVRA_TERMINAL = re.compile(r"^[a-zA-Z0-9-]{8}$")  # DE41: 8 characters in Kivra's schema
_OTHER_TENDERS = {"cash": "cash", "giftcard": "gift_card", "coupon": "voucher", "voucher": "voucher"}


@cache
def validator() -> Draft6Validator:
    return Draft6Validator(
        json.loads(resources.files(__package__).joinpath("schemas/kivra/retail-v1.1.json").read_text())
    )


def schema_violations(document) -> list[Violation]:
    """Where the document breaks Kivra's schema, by JSON pointer; the message names the rule,
    never the value (it may be a card number)."""
    found = []
    for error in sorted(validator().iter_errors(document), key=lambda error: list(error.absolute_path))[:20]:
        for specific in _specific(error):
            pointer = "/" + "/".join(str(part) for part in specific.absolute_path)
            found.append(Violation(pointer, f"schema_{specific.validator}", _rule(specific)))
    return found


def _specific(error) -> list:
    """For a oneOf or anyOf, the errors of the branch the document meant: the one whose
    type (an enum or const) it does match."""
    while error.context:
        branches: dict[object, list] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        meant = [
            errors for errors in branches.values() if not any(sub.validator in ("enum", "const") for sub in errors)
        ]
        chosen = meant[0] if meant else min(branches.values(), key=len)
        if len(chosen) != 1:
            return chosen
        error = chosen[0]
    return [error]


def _rule(error) -> str:
    if error.validator == "required":
        return error.message  # names the property, from the schema
    if error.validator in (
        "type",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "format",
        "minItems",
        "maxItems",
        "const",
        "additionalProperties",
    ):
        detail = error.validator_value if error.validator != "additionalProperties" else "false"
        return f"breaks Kivra's schema: {error.validator} {json.dumps(detail, default=str)[:200]}"
    return f"breaks Kivra's schema ({error.validator})"


def read(body: bytes) -> Imported:
    try:
        document = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise MalformedRequest("the body is not well-formed JSON") from None
    found = schema_violations(document)
    if found:
        raise ValidationFailed("the document breaks Kivra's receipt schema (retail v1.1)", found)
    return _receipt(document)


# Kivra's units of measure and UN/ECE Recommendation 20's (a pack counts as a piece).
_UNITS = {
    "ea": PIECE,
    "6 pack": PIECE,
    "12 pack": PIECE,
    "24 pack": PIECE,
    "kg": "KGM",
    "grm": "GRM",
    "km": "KMT",
    "m": "MTR",
    "cm": "CMT",
    "mm": "MMT",
    "annual": "ANN",
    "days": "DAY",
    "hours": "HUR",
    "seconds": "SEC",
    "l": "LTR",
    "gallon": "GLL",
}
_UNITS_OUT = {code: unit for unit, code in reversed(_UNITS.items())}
# Where an item prints the platform's line fields.
_LINE_FIELDS = {
    "deposit": {"amount": "amount", "unit_price": "unit_amount", "quantity": "quantity", "vat_rate": "tax_percentage"},
    **dict.fromkeys(
        ("sale", "return"),
        {
            "amount": "extended_amount",
            "unit_price": "regular_sales_unit_price",
            "quantity": "quantity/value",
            "vat_rate": "tax_percentage",
            "discounts": "retail_price_modifiers",
        },
    ),
}


def _receipt(document: dict) -> Imported:
    currency = document["currency"]
    refund, mixed, tenders = _direction(document)
    if not any(payment["tender"]["type"] == "creditdebit" for _, payment in tenders):
        raise no_card_payment("/payments", [_described(payment, currency) for payment in document["payments"]])
    problems = Problems(currency)
    try:
        issued_at = datetime.fromisoformat(document["time_of_purchase"])
    except ValueError:
        issued_at = None
        problems.add("/time_of_purchase", "invalid_datetime", "an ISO 8601 date and time, as 2018-11-09T11:07:00+01:00")
    paths = {
        "issued_at": "/time_of_purchase",
        "currency": "/currency",
        "merchant_receipt_id": "/receipt_identifier",
        "lines": "/items",
        "discounts": "/retail_price_modifiers",
        "totals.subtotal": "/items",
        "payments": "/payments",
    }
    lines, line_fields, numbered, original = _items(document, problems, paths)
    if mixed:
        problems.add("/items", "mixed_sale_and_return", "a receipt either sells or returns: send the return as its own")
    discounts = _discounts(document, lines, numbered, problems, paths)
    totals = {total["type"]: (number, total) for number, total in enumerate(document["totals"])}
    vat, tax = _vat(totals, lines, discounts, problems, paths)
    paid_number, paid = totals.get("paid", totals.get("gross", (None, {"amount": None})))
    paths["totals.total"] = f"/totals/{paid_number}"
    total = problems.minor(paid["amount"], paths["totals.total"])
    payments: list[dict] = []
    for index, payment in tenders:
        tender = _tender(payment, problems, f"/payments/{index}", currency, issued_at)
        if "type" not in tender or tender["amount"]:  # a cash line of nothing pays nothing
            paths[f"payments[{len(payments)}]"] = f"/payments/{index}"
            payments.append(tender)
    rounding = _rounding(totals, tenders, refund, problems, paths)
    problems.check()
    if total is None:  # no paid or gross total printed: what the tenders paid
        total, paths["totals.total"] = sum(payment["amount"] for payment in payments), "/payments"
    identifier = document["receipt_identifier"]
    number = identifier.get("extended_number", {}).get("value") or str(identifier.get("sequence_number", ""))
    return Imported(
        "kivra",
        printed_receipt(number, issued_at, currency, lines, discounts, vat, tax, total, rounding, payments),
        paths,
        refund,
        original if refund else None,
        problems.noticed,
        line_fields,
    )


def _direction(document: dict) -> tuple[bool, bool, list[tuple[int, dict]]]:
    """Whether the document is a return, whether it mixes sales and returns, and the
    payments (by index) that went the document's way."""
    returns = {
        item["type"] == "return" or item.get("refund", False)
        for item in document["items"]
        if item["type"] in ("sale", "return")
    }
    # Text items only: the payments say whether money went to the customer.
    refund = returns == {True} if returns else all(payment.get("refund", False) for payment in document["payments"])
    # Money going the other way is change handed back on a sale (or paid in on a return).
    tenders = [
        (index, payment) for index, payment in enumerate(document["payments"]) if payment.get("refund", False) == refund
    ]
    return refund, returns == {True, False}, tenders


def _items(document: dict, problems: Problems, paths: dict) -> tuple[list[Line], list, dict, str | None]:
    """The document's lines, each line's field names, each line by its sequence number,
    and the original receipt a return names."""
    lines: list[Line] = []
    line_fields: list[dict[str, str]] = []
    texts: list[tuple[int, str]] = []  # with the item's index
    original: str | None = None
    numbered: dict[int | None, int] = {}  # a line's index by the item's sequence number
    for index, item in enumerate(document["items"]):
        if item["type"] == "text":
            texts.append((index, " ".join(item["text"]["collection"])))
            continue
        path = f"/items/{index}"
        paths[f"lines[{len(lines)}]"] = path
        line_fields.append(_LINE_FIELDS[item["type"]])
        numbered[item.get("sequence_number")] = len(lines)
        lines.append(_deposit(item, problems, path) if item["type"] == "deposit" else _line(item, problems, path))
        if item["type"] == "return" and not original and item.get("receipt_reference"):
            original, paths["original"] = item["receipt_reference"]["value"], f"{path}/receipt_reference"
    if not lines:  # a till that prints no prices lists its items as text
        for index, text in texts:
            paths[f"lines[{len(lines)}]"] = f"/items/{index}"
            lines.append(Line(text, None, Decimal(1), None))
    return lines, line_fields, numbered, original


def _discounts(document: dict, lines: list[Line], numbered: dict, problems: Problems, paths: dict) -> list:
    """The receipt's discounts (Kivra's top-level subtracting modifiers), shared over the lines they link."""
    discounts: list[dict] = []
    for index, modifier in enumerate(document.get("retail_price_modifiers", [])):
        path = f"/retail_price_modifiers/{index}"
        reduction = modifier.get("action", "subtract") == "subtract" and discount(
            " ".join((modifier.get("description") or {}).get("collection", [])),
            problems.minor(modifier["amount"], f"{path}/amount") or 0,
            lines,
            modifier.get("item_links", []),
            numbered,
            problems,
            path,
        )
        if reduction:
            paths[f"discounts[{len(discounts)}]"] = path
            discounts.append(reduction)
    return discounts


def _vat(totals: dict, lines: list[Line], discounts: list, problems: Problems, paths: dict) -> tuple[list, int | None]:
    """The VAT per rate and the tax, as the document's vat total prints them."""
    vat: list = []
    if "vat" not in totals:
        return vat, None
    number, total = totals["vat"]
    paths["totals.tax"] = paths["totals.vat"] = f"/totals/{number}"
    tax = problems.minor(total["amount"], f"/totals/{number}/amount")
    bases = _rate_bases(lines, discounts)
    for entry, sub_total in enumerate(total.get("sub_totals", [])):
        paths[f"totals.vat[{len(vat)}]"] = f"/totals/{number}/sub_totals/{entry}"
        vat.append(_vat_entry(sub_total, problems, f"/totals/{number}/sub_totals/{entry}", bases))
    return vat, tax


def _rounding(totals: dict, tenders: list[tuple[int, dict]], refund: bool, problems: Problems, paths: dict) -> int:
    """The cash rounding, signed as the total bears it out: a rounding total, or the tenders' own."""
    if "rounding" not in totals:
        return sum(
            problems.minor(payment["rounding"], f"/payments/{index}/rounding") or 0
            for index, payment in tenders
            if "rounding" in payment
        )
    number, entry = totals["rounding"]
    paths["totals.rounding"] = f"/totals/{number}"
    printed = problems.minor(entry["amount"], f"/totals/{number}/amount") or 0
    # Money to the customer on a sale: rounded down.
    return -printed if entry.get("refund", False) != refund else printed


def _described(payment: dict, currency: str) -> str:
    """A tender as the no-card refusal names it: "cash 50.00 SEK (handed back)"."""
    tender = payment["tender"]
    kind = tender.get("type_name") if tender["type"] == "other" else tender["type"]
    return f"{kind} {payment['amount']} {currency}" + (" (to the customer)" if payment.get("refund") else "")


def _rate(item: dict) -> Decimal | None:
    rate = item.get("tax_percentage")
    return None if rate is None else Decimal(rate)


def _line(item: dict, problems: Problems, path: str) -> Line:
    amount = problems.minor(item.get("extended_amount"), f"{path}/extended_amount")
    gross = problems.minor(item.get("extended_gross_amount"), f"{path}/extended_gross_amount")
    unit_price = problems.minor(item.get("regular_sales_unit_price"), f"{path}/regular_sales_unit_price")
    discounts = [
        (
            " ".join((modifier.get("description") or {}).get("collection", [])),
            problems.minor(modifier["amount"], f"{path}/retail_price_modifiers/{number}/amount") or 0,
        )
        for number, modifier in enumerate(item.get("retail_price_modifiers", []))
        if modifier.get("action", "subtract") == "subtract"
    ]
    if not discounts and item.get("extended_discount_amount"):
        discounts = [("", problems.minor(item["extended_discount_amount"], f"{path}/extended_discount_amount") or 0)]
    identifiers = item.get("identifiers") or [{}]
    quantity = item.get("quantity", {})
    return Line(
        item.get("description") or identifiers[0].get("value", ""),
        identifiers[0].get("value"),
        Decimal(quantity.get("value", 1)),
        amount,
        gross=gross,
        discounts=discounts,
        vat_rate=_rate(item),
        unit=_UNITS.get(quantity.get("unit", "ea"), PIECE),
        unit_price=unit_price,
    )


def _deposit(item: dict, problems: Problems, path: str) -> Line:
    """A deposit (pant on bottles and cans): outside VAT unless the till gives it a rate."""
    amount = problems.minor(item["amount"], f"{path}/amount")
    rate = _rate(item)
    text = item.get("description") or " ".join((item.get("text") or {}).get("collection", [])).strip()
    return Line(
        text or "Pant",
        None,
        Decimal(item.get("quantity", 1)),
        amount,
        gross=amount,
        vat_rate=rate,
        unit_price=problems.minor(item.get("unit_amount"), f"{path}/unit_amount"),
        vat_exemption=None if rate is not None else "deposit",
    )


def _rate_bases(lines: list[Line], discounts: list[dict]) -> dict[Decimal, int]:
    """Per VAT rate, what the lines at it print, less their shares of the receipt's discounts."""
    bases: dict[Decimal, int] = {}
    for line in lines:
        if line.vat_rate is not None:
            bases[line.vat_rate] = bases.get(line.vat_rate, 0) + (line.amount or 0)
    for share in (share for given in discounts for share in given["shares"]):
        rate = lines[share["line"]].vat_rate
        if rate is not None:
            bases[rate] -= share["amount"]
    return bases


def _vat_entry(sub_total: dict, problems: Problems, path: str, bases: dict[Decimal, int]) -> dict:
    """One rate, as printed. Kivra says taxable_amount includes the VAT; tills also send it
    without: the lines at that rate (bases) tell which, the reading closer to them."""
    rate = Decimal(sub_total.get("tax_percentage", 0))
    vat = problems.minor(sub_total["amount"], f"{path}/amount") or 0
    taxable = problems.minor(sub_total.get("taxable_amount", sub_total["amount"]), f"{path}/taxable_amount") or 0
    at_rate = bases.get(rate, 0)
    gross = taxable + vat if taxable < vat or abs(at_rate - taxable - vat) < abs(at_rate - taxable) else taxable
    return {"rate": rate, "net": gross - vat, "vat": vat, "gross": gross}


def _tender(payment: dict, problems: Problems, path: str, currency: str, issued_at: datetime | None) -> dict:
    """A tender: a card as charged (its amount), any other as applied to the bill."""
    tender = payment["tender"]
    if tender["type"] != "creditdebit":
        amount = problems.minor(payment.get("amount_applied_to_bill", payment["amount"]), f"{path}/amount")
        if tender["type"] == "other" and tender.get("type_name") in ("gift_card", "voucher"):
            return {"type": tender["type_name"], "amount": amount}
        return {"type": _OTHER_TENDERS.get(tender["type"], "other"), "amount": amount}
    token = tender.get("card_token") or {}
    foreign = payment.get("foreign_currency_amount") or {}
    charged = problems.minor(payment["amount"], f"{path}/amount", exact=True)
    applied = problems.minor(payment.get("amount_applied_to_bill"), f"{path}/amount_applied_to_bill")
    # A card charged more than it applied to the bill paid the difference out as cash.
    cashback = {"cashback": charged - applied} if charged and applied and 0 < applied < charged else {}
    return (
        card_line(
            Slip(
                tender.get("bank_identification_number"),
                tender.get("approval_code"),
                tender.get("retrieval_reference_number"),
                tender.get("card_acceptor_terminal_id"),
            ),
            read_slip((tender.get("payment_slip") or {}).get("collection", [])),
            charged,
            currency,
            issued_at,
        )
        | cashback
        | carried(
            token.get("value") if str(token.get("scheme", "")).lower() == "par" else None,
            (foreign.get("currency"), foreign.get("original_face_amount"), foreign.get("exchange_rate")),
        )
    )


# Out


def missing(merchant: dict) -> list[str]:
    """What Kivra's document needs of the merchant that it has not given (406 names them)."""
    return [need for need, fields in KIVRA_NEEDS.items() if not any(merchant.get(field) for field in fields)]


def document(receipt: dict, merchant: dict, issued_at: datetime) -> dict:
    """The receipt view as Kivra's retail receipt; merchant is its identity with the Kivra
    service id; issued_at is the receipt's time in the merchant's time zone."""
    currency = receipt["currency"]

    def major(minor: int, in_currency: str = currency):
        return json.loads(str(to_major(minor, in_currency)))  # a JSON number with the currency's places

    refund = sale_or_refund(receipt) == "refund"
    store = receipt.get("store") or {}
    discounts = receipt.get("discounts") or []
    sequence = "".join(filter(str.isdigit, receipt["merchant_receipt_id"]))[-15:]
    kivra = {
        "business_unit": _business_unit(merchant, store),
        "sales_recording_system": {"name": store.get("name") or "receipts platform"},
        "receipt_identifier": {
            "sequence_number": int(sequence or 0),
            "extended_number": {"value": receipt["merchant_receipt_id"], "context": "store"},
        },
        "time_of_purchase": issued_at.isoformat(),
        "currency": currency,
        "totals": _totals(receipt, refund, major),
        "items": [_item(line, number, receipt, refund, major) for number, line in enumerate(receipt["lines"], 1)],
        "payments": [_payment(tender, major, refund) for tender in receipt["payments"]],
    }
    if discounts:
        kivra["retail_price_modifiers"] = [
            {
                "action": "subtract",
                "amount": major(discount["amount"]),
                "description": {"type": "array", "collection": [discount["description"]]},
                "item_links": [share["line"] + 1 for share in discount["shares"]],
            }
            for discount in discounts
        ]
    return kivra


def _business_unit(merchant: dict, store: dict) -> dict:
    address = merchant["address"]
    return {
        "service_id": merchant["kivra_service_id"],
        "organization_number": merchant.get("tax_number") or merchant["vat_id"],
        "name": merchant.get("legal_name") or merchant.get("name") or "",
        "contact": {
            "address": {
                "street_address": address["street"],
                "locality": address["city"],
                "postal_code": address["postal_code"],
            }
        },
        **({"unit_id": store["id"]} if store else {}),
    }


def _totals(receipt: dict, refund: bool, major) -> list[dict]:
    """Kivra's totals: net, VAT (per rate where the receipt has its breakdown), gross before
    discounts and rounding, paid; then the discounts and the rounding, if any."""
    totals = receipt["totals"]
    discounted = sum(discount["amount"] for line in receipt["lines"] for discount in line.get("discounts") or ()) + sum(
        discount["amount"] for discount in receipt.get("discounts") or ()
    )
    rounded = totals.get("rounding", 0)
    vat = totals.get("vat") or []
    flag = {"refund": True} if refund else {}
    tax: dict = {"type": "vat", "amount": major(totals["tax"]), **flag}
    if vat:
        tax["sub_totals"] = [
            {
                "amount": major(entry["vat"]),
                "tax_percentage": entry["rate"],
                "taxable_amount": major(entry["gross"]),
                "net_amount": major(entry["net"]),
                **flag,
            }
            for entry in vat
        ]
    net = sum(entry["net"] for entry in vat) if vat else totals["total"] - totals["tax"]
    kivra_totals = [
        {"type": "net", "amount": major(net), **flag},
        tax,
        {"type": "gross", "amount": major(totals["total"] - rounded + discounted), **flag},
        {"type": "paid", "amount": major(totals["total"]), **flag},
    ]
    if discounted:
        kivra_totals.append({"type": "discount", "amount": major(discounted), "refund": not refund})
    if rounded:  # its sign as Kivra's amounts say it: money to the customer is a refund
        kivra_totals.append({"type": "rounding", "amount": major(abs(rounded)), "refund": (rounded < 0) != refund})
    return kivra_totals


def _item(line: dict, number: int, receipt: dict, refund: bool, major) -> dict:
    quantity = Decimal(str(line["quantity"]))
    if line["amount"] is None:  # a line the till printed without its price
        description = line["description"] if quantity == 1 else f"{quantity.normalize()} × {line['description']}"
        return {"type": "text", "sequence_number": number, "text": {"type": "array", "collection": [description]}}
    if line.get("vat_exemption") == "deposit" and quantity == quantity.to_integral_value():
        return {
            "type": "deposit",
            "sequence_number": number,
            "refund": refund,
            "amount": major(line["amount"]),
            "unit_amount": major(line["unit_price"]),
            "quantity": int(quantity),
            "text": {"type": "array", "collection": [line["description"]]},
        }
    item = {
        "type": "return" if refund else "sale",
        "identifiers": [{"identifier_type": "pos", "value": line.get("sku") or str(number)}],
        "description": line["description"],
        "quantity": {"value": line["quantity"], "unit": _UNITS_OUT.get(line.get("unit", PIECE), "ea")},
        "regular_sales_unit_price": major(line["unit_price"]),
        "actual_sales_unit_price": major(half_up(line["amount"] / quantity)),
        "extended_amount": major(line["amount"]),
        "extended_gross_amount": major(half_up(quantity * line["unit_price"])),
        "sequence_number": number,
    }
    if line.get("discounts"):
        item["retail_price_modifiers"] = [
            {
                "amount": major(discount["amount"]),
                "description": {"type": "array", "collection": [discount["description"]]},
            }
            for discount in line["discounts"]
        ]
        item["extended_discount_amount"] = major(sum(discount["amount"] for discount in line["discounts"]))
    if line.get("vat_rate") is not None:
        item["tax_percentage"] = line["vat_rate"]
    if receipt.get("refund_of"):
        item["receipt_reference"] = {"value": receipt["refund_of"], "context": "global"}
    return item


def _payment(tender: dict, major, refund: bool) -> dict:
    flag = {"refund": True} if refund else {}
    if "type" in tender:
        # A gift card or coupon tender needs its card number and balance, which a receipt does not keep.
        kivra = {"type": "cash"} if tender["type"] == "cash" else {"type": "other", "type_name": tender["type"]}
        return {
            "tender": kivra,
            "amount": major(tender["amount"]),
            "amount_applied_to_bill": major(tender["amount"]),
            **flag,
        }
    card: dict[str, object] = {"type": "creditdebit"}
    for ours, theirs in (
        ("masked_pan", "bank_identification_number"),
        ("auth_code", "approval_code"),
        ("rrn", "retrieval_reference_number"),
    ):
        if tender.get(ours):
            card[theirs] = tender[ours]
    terminal = tender.get("terminal_id")
    if terminal and _KIVRA_TERMINAL.fullmatch(terminal):
        card["card_acceptor_terminal_id"] = terminal
    elif terminal:  # as a slip prints it, where the schema's 8 characters cannot hold it
        card["payment_slip"] = {"type": "array", "collection": [f"Termid: {terminal}"]}
    if tender.get("par"):
        card["card_token"] = {"value": tender["par"], "scheme": "par"}
    paid: dict[str, object] = {"tender": card, "amount": major(tender["amount"])}
    if dcc := tender.get("dcc"):
        # Kivra's foreign currency has no markup: it is left out.
        paid["foreign_currency_amount"] = {
            "currency": dcc["currency"],
            "original_face_amount": major(dcc["amount"], dcc["currency"]),
        } | ({"exchange_rate": json.loads(dcc["exchange_rate"])} if dcc.get("exchange_rate") else {})
    # The cash paid out is charged to the card but not applied to the bill.
    return paid | {"amount_applied_to_bill": major(tender["amount"] - (tender.get("cashback") or 0)), **flag}
