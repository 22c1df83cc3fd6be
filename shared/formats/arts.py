"""ARTS Digital Receipt 2.0 (XML, the Swedish standard), in and out (SPEC §12).

A document is parsed with DTDs, entities and the network off, and refused (400) if it
declares a DTD at all: that is how XML reads a machine's files (XXE) or grows to gigabytes
(billion laughs). The owner's XSD is loaded by libxml2 (lxml), which validates a receipt
in about a millisecond.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from lxml import etree

from shared.domain.errors import MalformedDocument, ValidationFailed, Violation
from shared.domain.money import to_major
from shared.domain.receipts import PIECE, sale_or_refund
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

NS = "http://www.nrf-arts.org/IXRetail/namespace/"
SE = "http://www.sweretailstandard.se/schemas/namespace/se"
_CONTENT_TYPE = "{http://www.w3.org/2005/05/xmlmime}contentType"
_N = {"a": NS}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# libxml2 quotes the offending value: "…Amount': '35,00' is not a valid value…", "The value '…' is not accepted".
_QUOTED_VALUE = re.compile(r"(: |[Tt]he value )'[^']*'( is not)")
_TENDERS = {"Cash": "cash", "GiftCard": "gift_card", "Voucher": "voucher", "Coupon": "voucher"}
_TENDERS_OUT = {"cash": "Cash", "gift_card": "GiftCard", "voucher": "Voucher", "other": "Other"}


_BUILDING_SCHEMA = threading.Lock()


def schema() -> etree.XMLSchema:
    """The ARTS XSD, built once, by one thread at a time: libxml2 sets up its built-in types
    on first use, and two builds racing there can leave the process unable to build any
    schema ("the given type is not a built-in type"), refusing every ARTS document."""
    with _BUILDING_SCHEMA:
        return _schema()


@cache
def _schema() -> etree.XMLSchema:
    with resources.files(__package__).joinpath("schemas/arts/DigitalReceiptV2.0.0.xsd").open("rb") as xsd:
        return etree.XMLSchema(etree.parse(xsd, etree.XMLParser(no_network=True, resolve_entities=False)))


def parse(body: bytes) -> etree._Element:
    """The document's root, or 400: not XML, or declaring a DTD or entities."""
    if _DECLARATION.search(body):
        raise MalformedDocument("a DTD or entity declaration is not accepted: send the receipt without <!DOCTYPE>")
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        raise MalformedDocument("the body is not well-formed XML") from None
    if root.getroottree().docinfo.doctype:  # declared in an encoding the byte search cannot see
        raise MalformedDocument("a DTD or entity declaration is not accepted: send the receipt without <!DOCTYPE>")
    return root


def schema_violations(root: etree._Element) -> list[Violation]:
    """Where the document breaks the ARTS XSD, by XPath; values quoted in libxml2's
    messages are left out (one may be a card number)."""
    checker = schema()
    if checker.validate(root):
        return []
    return [
        Violation(entry.path or "/", "schema_invalid", _QUOTED_VALUE.sub(r"\1the value\2", entry.message))
        for entry in list(checker.error_log)[:20]
    ]


def read(body: bytes) -> Imported:
    root = parse(body)
    found = schema_violations(root)
    if found:
        raise ValidationFailed("the document breaks the ARTS Digital Receipt 2.0 schema", found)
    return _receipt(root)


def _at(path: str, ns: str, *names: str) -> str:
    """The XPath of the descendant by names (which may not be there) of the element at path,
    ns the document's prefix for ARTS's namespace ("nam:", or "" where it is the default)."""
    return path + "".join([f"/{ns}{name}" for name in names])


def _text(element, path: str) -> str | None:
    return _value(element.find(path, _N))


def _value(element) -> str | None:
    """An element's text, stripped; None for no element or no text."""
    return None if element is None else (element.text or "").strip() or None


_NAMESPACED = f"{{{NS}}}"


def _children(element) -> dict[str, etree._Element]:
    """element's children in ARTS's namespace by local name, the first of each: one pass over
    them, where find() would parse its path again on every call."""
    found: dict[str, etree._Element] = {}
    for child in element:
        if isinstance(child.tag, str) and child.tag.startswith(_NAMESPACED):
            found.setdefault(child.tag[len(_NAMESPACED) :], child)
    return found


def _decimal(value: str | None, default: str = "1") -> Decimal:
    try:
        return Decimal(value if value is not None else default)
    except InvalidOperation:
        return Decimal(default)


def _receipt(root: etree._Element) -> Imported:
    tree, transaction, retail = _retail_transaction(root)
    tenders = [item for item in retail.iterfind("a:LineItem/a:Tender", _N)]
    if not any(_is_card(tender) for tender in tenders):
        raise no_card_payment(
            tree.getpath(retail),
            [f"{tender.get('TenderType') or 'an unnamed tender'} {_text(tender, 'a:Amount')}" for tender in tenders],
        )
    currency = _text(transaction, "a:CurrencyCode") or ""
    problems = Problems(currency)
    ns = f"{root.prefix}:" if root.prefix else ""
    at_transaction = tree.getpath(transaction)
    when_path = _at(at_transaction, ns, "ReceiptDateTime")
    issued_at = _datetime(_text(transaction, "a:ReceiptDateTime"), when_path, problems)
    at_retail = tree.getpath(retail)
    paths = {
        "issued_at": when_path,
        "currency": _at(at_transaction, ns, "CurrencyCode"),
        "merchant_receipt_id": _at(at_transaction, ns, "ReceiptNumber"),
        **dict.fromkeys(("lines", "discounts", "payments", "totals"), at_retail),
    }
    items = _line_items(retail, at_retail, ns, problems, paths, currency, issued_at, _slip(transaction))
    refund = transaction.get("TypeCode") == "ReturnTransaction" or items.returned
    discounts: list[dict] = []
    for path, text, amount, links in items.reductions:  # once every line they may link is read
        if reduction := discount(text, amount, items.lines, links, items.numbered, problems, path):
            paths[f"discounts[{len(discounts)}]"] = path
            discounts.append(reduction)
    total_element = retail.find("a:Total[@TotalType='TransactionGrandAmount']", _N)
    paths["totals.total"] = tree.getpath(total_element) if total_element is not None else at_retail
    total = problems.minor(total_element.text if total_element is not None else None, paths["totals.total"])
    problems.check()
    if total is None:  # no grand total printed: what the tenders paid
        total = sum(payment["amount"] for payment in items.payments)
    # A rounding line states the receipt's; a cash tender's own rounding is the same one.
    printed = sum(items.rounded_lines) if items.rounded_lines else sum(items.rounded_tenders)
    number = _text(transaction, "a:ReceiptNumber") or _text(transaction, "a:SequenceNumber") or ""
    vat = items.vat
    tax = sum(entry["vat"] for entry in vat) if vat else None
    receipt = printed_receipt(
        number, issued_at, currency, items.lines, discounts, vat, tax, total, printed, items.payments
    )
    link = retail.find(".//a:TransactionLink/a:TransactionID", _N) if refund else None
    if link is not None:
        paths["original"] = tree.getpath(link)
    return Imported(
        "arts",
        receipt,
        paths,
        refund,
        link.text.strip() if link is not None and link.text else None,
        problems.noticed,
        items.line_fields,
    )


def _retail_transaction(root: etree._Element):
    """The document's tree, its Transaction and its RetailTransaction; 422 without them."""
    tree = root.getroottree()
    transaction = root.find("a:Transaction", _N)
    if transaction is None:
        raise ValidationFailed(
            "the document cannot be read as a receipt",
            [Violation(tree.getpath(root), "transaction_missing", "a DigitalReceipt holds one Transaction")],
        )
    retail = transaction.find("a:RetailTransaction", _N)
    if retail is None:
        raise ValidationFailed(
            "the document cannot be read as a receipt",
            [Violation(tree.getpath(transaction), "retail_transaction_missing", "a receipt is a RetailTransaction")],
        )
    return tree, transaction, retail


@dataclass
class _Items:
    """What a RetailTransaction's LineItems hold, read in one pass, in order."""

    lines: list = field(default_factory=list)
    line_fields: list = field(default_factory=list)
    numbered: dict = field(default_factory=dict)  # a line's index by its SequenceNumber
    vat: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    reductions: list = field(default_factory=list)  # (path, description, amount, links): read once the lines are
    rounded_lines: list = field(default_factory=list)
    rounded_tenders: list = field(default_factory=list)
    returned: bool = False


def _line_items(retail, at_retail: str, ns: str, problems: Problems, paths: dict, currency: str, issued_at, slip):
    items = _Items()
    for position, item in enumerate(retail.iterfind("a:LineItem", _N), 1):
        path = f"{at_retail}/{ns}LineItem[{position}]"
        if (sale := item.find("a:Sale", _N)) is not None or (sale := item.find("a:Return", _N)) is not None:
            returned = sale.tag.endswith("}Return")
            items.returned = items.returned or returned
            at_sale = paths[f"lines[{len(items.lines)}]"] = _at(path, ns, "Return" if returned else "Sale")
            items.line_fields.append(_line_fields(ns))
            items.numbered[_text(item, "a:SequenceNumber")] = len(items.lines)
            items.lines.append(_line(sale, at_sale, ns, problems))
        elif (tax := item.find("a:Tax", _N)) is not None:
            paths[f"totals.vat[{len(items.vat)}]"] = path
            items.vat.append(_vat_entry(tax, _at(path, ns, "Tax"), ns, problems))
        elif (tender := item.find("a:Tender", _N)) is not None:
            paid = _tender(tender, _at(path, ns, "Tender"), ns, problems, currency, issued_at, slip)
            if "type" not in paid or paid["amount"]:  # a cash line of nothing pays nothing
                paths[f"payments[{len(items.payments)}]"] = path
                items.payments.append(paid)
            if tender.get("TenderType") == "Cash":  # rounding is cash's
                rounding = problems.minor(_text(tender, "a:Rounding"), _at(path, ns, "Tender", "Rounding"))
                items.rounded_tenders.append(rounding or 0)
        elif (reduction := item.find("a:Discount", _N)) is not None:
            amount = problems.minor(_text(reduction, "a:Amount"), _at(path, ns, "Discount", "Amount")) or 0
            links = [link.text.strip() for link in item.iterfind("a:ItemLink", _N) if link.text]
            items.reductions.append((path, _text(reduction, "a:Description") or "", amount, links))
        elif (rounded := item.find("a:Rounding", _N)) is not None:
            paths["totals.rounding"] = path
            items.rounded_lines.append(problems.minor(rounded.text, _at(path, ns, "Rounding")) or 0)
    return items


# Card tenders by ARTS's names (debit cards have names of their own), or any with card data.
_CARDS = frozenset({"CreditDebit", "CheckCard", "InternationalMaestro", "UKMaestro"})


def _is_card(tender) -> bool:
    return tender.get("TenderType") in _CARDS or tender.find("a:CreditDebit", _N) is not None


def _datetime(value: str | None, path: str, problems: Problems) -> datetime | None:
    try:
        return datetime.fromisoformat(value or "")
    except ValueError:
        problems.add(path, "invalid_datetime", "the receipt's date and time, as 2018-01-08T08:57:22+01:00")
        return None


# ARTS units of measure are UN/ECE Recommendation 20's, EA and Kg aside; another code of
# Recommendation 20 goes out as an extension, Rec20:<code>.
_UNITS = {"EA": PIECE, "Kg": "KGM"}
_UNITS_OUT = {"H87": "EA"}
_REC20 = "Rec20:"
# Where a Sale or Return prints the platform's line fields.
_LINE_FIELDS = {
    "amount": ("ExtendedAmount",),
    "unit_price": ("RegularSalesUnitPrice",),
    "quantity": ("Quantity",),
    "vat_rate": ("Tax", "Percent"),
    "discounts": ("RetailPriceModifier",),
}
_UNIT = re.compile(r"[A-Z0-9]{2,3}")


@cache
def _line_fields(ns: str) -> dict[str, str]:
    """_LINE_FIELDS as paths below a Sale or Return, in the document's prefix."""
    return {ours: _at("", ns, *theirs)[1:] for ours, theirs in _LINE_FIELDS.items()}


_RETAIL_UNITS = frozenset("GLI GLL LTR INH FOT MMT CMQ MTR MTK MTQ GRM KGM LBR ANN CEL FAH".split())


def _line(sale, path: str, ns: str, problems: Problems) -> Line:
    child = _children(sale)
    quantity_element, quantity, unit = child.get("Quantity"), Decimal(1), PIECE
    if quantity_element is not None:
        quantity = _decimal(_value(quantity_element)) * _decimal(quantity_element.get("Units"))
        code = quantity_element.get("UnitOfMeasureCode") or "EA"
        unit = _UNITS.get(code) or code.removeprefix(_REC20)
    amount = problems.minor(_value(child.get("ExtendedAmount")), _at(path, ns, "ExtendedAmount"))
    discounted = problems.minor(_value(child.get("ExtendedDiscountAmount")), _at(path, ns, "ExtendedDiscountAmount"))
    modifiers = (
        [
            (
                _text(modifier, "a:Description") or "",
                problems.minor(_text(modifier, "a:Amount"), _at(path, ns, f"RetailPriceModifier[{number}]", "Amount"))
                or 0,
            )
            for number, modifier in enumerate(sale.iterfind("a:RetailPriceModifier", _N), 1)
        ]
        if "RetailPriceModifier" in child
        else []
    )
    if not modifiers and discounted:
        modifiers = [("", discounted)]
    rate = _text(child["Tax"], "a:Percent") if "Tax" in child else None
    exemption = None
    if rate is None and sale.get("ItemType") in ("Deposit", "DepositRefund"):
        exemption = "deposit"
    elif rate is None and sale.get("TaxableFlag") == "false":
        exemption = "exempt"
    sku = (_text(child["POSIdentity"], "a:POSItemID") if "POSIdentity" in child else None) or _value(
        child.get("ItemID")
    )
    return Line(
        _value(child.get("Description")) or sku or "",
        sku,
        quantity,
        amount,
        gross=None if amount is None else amount + (discounted or 0),
        discounts=modifiers,
        vat_rate=None if rate is None else _decimal(rate),
        unit=unit if _UNIT.fullmatch(unit) else PIECE,
        unit_price=problems.minor(_value(child.get("RegularSalesUnitPrice")), _at(path, ns, "RegularSalesUnitPrice")),
        vat_exemption=exemption,
    )


def _vat_entry(tax, path: str, ns: str, problems: Problems) -> dict:
    child = _children(tax)
    taxable_element = child.get("TaxableAmount")
    taxable = problems.minor(_value(taxable_element), _at(path, ns, "TaxableAmount")) or 0
    vat = problems.minor(_value(child.get("Amount")), _at(path, ns, "Amount")) or 0
    included = taxable_element is not None and taxable_element.get("TaxIncludedInTaxableAmountFlag") == "true"
    gross = taxable if included else taxable + vat
    return {"rate": _decimal(_value(child.get("Percent")), "0"), "net": gross - vat, "vat": vat, "gross": gross}


def _slip(transaction) -> list[str]:
    """The receipt's printed text (the Swedish extension's text/plain attachment), where the
    card terminal's slip may give what the tender's fields leave out, line by line."""
    texts = []
    for content in transaction.iterfind(f"{{{SE}}}Attachment/{{{SE}}}Content"):
        if (content.get(_CONTENT_TYPE) or "text/plain").startswith("text/") and content.text:
            try:
                texts.append(base64.b64decode("".join(content.text.split())).decode("utf-8", "replace"))
            except binascii.Error:
                continue
    return "\n".join(texts).replace("{NL}", "\n").splitlines()


def _terminal_texts(tender) -> list[str]:
    """The card terminal's own lines (the Swedish extension's PaymentTerminal), each with the
    label the terminal gave it in an attribute."""
    return [
        " ".join(part for part in (text.get("Name"), (text.text or "").strip()) if part)
        for text in tender.iterfind(f"{{{SE}}}PaymentTerminal/{{{SE}}}Text")
    ]


def _tender(
    tender, path: str, ns: str, problems: Problems, currency: str, issued_at: datetime | None, slip: list[str]
) -> dict:
    """A tender: a card as charged (its Amount), any other as applied to the bill."""
    child = _children(tender)
    if not _is_card(tender):
        applied = "AmountAppliedToBill" if _value(child.get("AmountAppliedToBill")) else "Amount"
        amount = problems.minor(_value(child.get(applied)), _at(path, ns, applied))
        return {"type": _TENDERS.get(tender.get("TenderType"), "other"), "amount": amount}
    printed = _text(child["CreditDebit"], "a:PrimaryAccountNumber") if "CreditDebit" in child else None
    try:  # base64 of the number as printed, though some tills send the number itself
        printed = base64.b64decode(printed, validate=True).decode("ascii") if printed else None
    except (binascii.Error, UnicodeDecodeError):
        pass
    granted = _children(child["Authorization"]) if "Authorization" in child else {}
    at = issued_at
    authorized = _value(granted.get("AuthorizationDateTime"))
    if authorized:
        at = _datetime(authorized, _at(path, ns, "Authorization", "AuthorizationDateTime"), problems)
    line = card_line(
        Slip(
            printed,
            _value(granted.get("AuthorizationCode")),
            _value(granted.get("ReferenceNumber")),
            _value(granted.get("AuthorizingTermID")),
        ),
        read_slip([*_terminal_texts(tender), *slip]),
        problems.minor(_value(child.get("Amount")), _at(path, ns, "Amount"), exact=True),
        currency,
        at,
    )
    if cashback := problems.minor(_value(child.get("Cashback")), _at(path, ns, "Cashback")):
        line["cashback"] = cashback
    foreign = _children(child["ForeignCurrency"]) if "ForeignCurrency" in child else {}
    face = foreign.get("OriginalFaceAmount")
    charged = (face.get("Currency"), _value(face), _value(foreign.get("ExchangeRate"))) if face is not None else None
    return line | carried(None, charged)


# Out


def document(receipt: dict, merchant: dict, issued_at: datetime) -> bytes:
    """The receipt view as an ARTS Digital Receipt; merchant is its identity; issued_at is
    the receipt's time in the merchant's time zone."""
    refund = sale_or_refund(receipt) == "refund"
    root = etree.Element(
        f"{{{NS}}}DigitalReceipt", {"MajorVersion": "6", "MinorVersion": "0", "FixVersion": "0"}, nsmap={None: NS}
    )
    transaction = _add(root, "Transaction", **({"TypeCode": "ReturnTransaction"} if refund else {}))
    _business_unit(transaction, receipt.get("store") or {}, merchant)
    _add(transaction, "CurrencyCode", receipt["currency"])
    if merchant.get("vat_id"):
        _add(transaction, "VATRegistrationNumber", merchant["vat_id"])
    _add(transaction, "ReceiptDateTime", issued_at.isoformat())
    _add(transaction, "ReceiptNumber", receipt["merchant_receipt_id"])
    _RetailTransaction(transaction, receipt, refund).write()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _add(parent, name: str, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{NS}}}{name}", {key: str(value) for key, value in attributes.items()})
    if text is not None:
        element.text = str(text)
    return element


def _business_unit(transaction, store: dict, merchant: dict) -> None:
    """The store (or, naming none, the merchant) and its address."""
    unit = _add(transaction, "BusinessUnit")
    name = store.get("name") or merchant.get("legal_name") or merchant.get("name") or ""
    _add(unit, "UnitID", store.get("id") or merchant["id"], Name=name)
    address = store.get("address") or merchant.get("address")
    if address:
        at = _add(unit, "Address")
        _add(at, "AddressLine", address["street"], TypeCode="Street")
        _add(at, "City", address["city"])
        _add(at, "PostalCode", address["postal_code"])
        _add(at, "Country", address["country"], Code=address["country"])


class _RetailTransaction:
    """The RetailTransaction: a LineItem, numbered in order, per line, receipt discount,
    rounding, VAT rate and tender; then the total and the sale a return refunds."""

    def __init__(self, transaction, receipt: dict, refund: bool):
        self.retail = _add(transaction, "RetailTransaction")
        self.receipt, self.refund, self.currency = receipt, refund, receipt["currency"]
        self.number = 0

    def amount(self, minor: int) -> str:
        return str(to_major(minor, self.currency))

    def line_item(self):
        self.number += 1
        return _add(self.retail, "LineItem")

    def write(self) -> None:
        receipt = self.receipt
        _add(self.retail, "ItemCount", len(receipt["lines"]))
        for line in receipt["lines"]:
            self.sale(line)
        for sequence, reduction in enumerate(receipt.get("discounts") or (), 1):
            self.discount(sequence, reduction)
        if receipt["totals"].get("rounding"):  # unsigned in ARTS: the total says which way it went
            item = self.line_item()
            _add(item, "Rounding", self.amount(abs(receipt["totals"]["rounding"])))
            _add(item, "SequenceNumber", self.number)
        for entry in receipt["totals"].get("vat") or ():
            item = self.line_item()
            tax = _add(item, "Tax")
            _add(tax, "TaxableAmount", self.amount(entry["net"]), TaxIncludedInTaxableAmountFlag="false")
            _add(tax, "Amount", self.amount(entry["vat"]))
            _add(tax, "Percent", entry["rate"])
            _add(item, "SequenceNumber", self.number)
        for tender in receipt["payments"]:
            self.tender(tender)
        _add(self.retail, "Total", self.amount(receipt["totals"]["total"]), TotalType="TransactionGrandAmount")
        if receipt.get("refund_of"):
            _add(_add(self.retail, "TransactionLink"), "TransactionID", receipt["refund_of"])

    def sale(self, line: dict) -> None:
        item = self.line_item()
        sale = _add(item, "Return" if self.refund else "Sale", **_item_type(line))
        _add(_add(sale, "POSIdentity"), "POSItemID", line.get("sku") or self.number)
        _add(sale, "Description", line["description"])
        if line["amount"] is not None:
            discount = sum(discount["amount"] for discount in line.get("discounts") or ())
            _add(sale, "RegularSalesUnitPrice", self.amount(line["unit_price"]))
            _add(sale, "ExtendedAmount", self.amount(line["amount"]))
            if discount:
                _add(sale, "ExtendedDiscountAmount", self.amount(discount))
        unit_code = line.get("unit", PIECE)
        measure = _UNITS_OUT.get(unit_code) or (unit_code if unit_code in _RETAIL_UNITS else _REC20 + unit_code)
        _add(sale, "Quantity", line["quantity"], UnitOfMeasureCode=measure)
        for sequence, modifier in enumerate(line.get("discounts") or (), 1):
            price_modifier = _add(sale, "RetailPriceModifier")
            _add(price_modifier, "SequenceNumber", sequence)
            _add(price_modifier, "Amount", self.amount(modifier["amount"]), Action="Subtract")
            _add(price_modifier, "Description", modifier["description"])
        if line.get("vat_rate") is not None:
            _add(_add(sale, "Tax"), "Percent", line["vat_rate"])
        _add(item, "SequenceNumber", self.number)

    def discount(self, sequence: int, reduction: dict) -> None:
        """A receipt-level discount, linked to the lines it is shared over."""
        item = self.line_item()
        discount = _add(item, "Discount")
        _add(discount, "SequenceNumber", sequence)
        _add(discount, "Amount", self.amount(reduction["amount"]), Action="Subtract")
        _add(discount, "Description", reduction["description"])
        _add(item, "SequenceNumber", self.number)
        for share in reduction["shares"]:
            _add(item, "ItemLink", share["line"] + 1)

    def tender(self, tender: dict) -> None:
        item = self.line_item()
        kind = _TENDERS_OUT.get(tender.get("type", ""), "CreditDebit")
        element = _add(item, "Tender", TypeCode="Refund" if self.refund else "Sale", TenderType=kind)
        _add(element, "Amount", self.amount(tender["amount"]))
        if tender.get("cashback"):
            _add(element, "Cashback", self.amount(tender["cashback"]))
        if kind == "CreditDebit":
            granted = _add(element, "Authorization")
            # The schema needs the element even when the slip printed no code (offline, some contactless).
            _add(granted, "AuthorizationCode", tender.get("auth_code") or "")
            for name, value in (
                ("ReferenceNumber", tender.get("rrn")),
                ("AuthorizationDateTime", f"{tender['transaction_date']}T{tender['transaction_time']}"),
                ("AuthorizingTermID", tender.get("terminal_id")),
            ):
                if value:
                    _add(granted, name, value)
            if dcc := tender.get("dcc"):
                # The markup has no place in ARTS's foreign currency: it is left out.
                foreign = _add(element, "ForeignCurrency")
                _add(
                    foreign,
                    "OriginalFaceAmount",
                    str(to_major(dcc["amount"], dcc["currency"])),
                    Currency=dcc["currency"],
                )
                if dcc.get("exchange_rate"):
                    _add(foreign, "ExchangeRate", dcc["exchange_rate"])
            if tender.get("masked_pan"):
                card = _add(element, "CreditDebit")
                _add(card, "PrimaryAccountNumber", base64.b64encode(tender["masked_pan"].encode()).decode())
        _add(item, "SequenceNumber", self.number)


def _item_type(line: dict) -> dict:
    """An item's attributes: a deposit is an item of its own type, a line outside VAT not taxable."""
    attributes = {"ItemType": "Deposit" if line.get("vat_exemption") == "deposit" else "Stock"}
    if line.get("vat_exemption"):
        attributes["TaxableFlag"] = "false"
    return attributes
