"""The simulated merchant POS, payment processor and issuing bank, and their webhook receivers.

A checkout runs as it does at a real counter: the POS rings up demo items with tax and
reads the card; the processor sends an ISO 8583 0200 to the card's issuer; the issuer
checks and debits the account, answers 0210 with an authorisation code and reports the
payment to the platform; the POS then submits the itemised receipt with what its slip
prints (masked PAN, auth code, RRN …). The parties talk to each other and to the
platform over HTTP through the gateway, as separate companies would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import string
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, text

from shared import formats
from shared.domain.cards import mask_pan
from shared.domain.errors import Forbidden, NotFound, Unauthenticated
from shared.domain.money import allocate, half_up
from shared.domain.receipts import ReceiptSubmission
from shared.domain.vat import breakdown
from shared.formats import arts, kivra
from shared.platform import outbound
from shared.platform.config import settings
from shared.simulation import iso8583
from shared.write.signatures import verify

# The café's items at gross prices (VAT included, as EU retail prints them) with their German
# rate: 19 % for drinks, 7 % for food to take away: (sku, description, price in cents, rate).
DEMO_SKUS = [
    ("ESP-1", "Espresso", 250, 19),
    ("CAP-1", "Cappuccino", 380, 19),
    ("FLW-1", "Flat white", 390, 19),
    ("CRO-1", "Croissant", 320, 7),
    ("MUF-1", "Blueberry muffin", 350, 7),
    ("SAN-1", "Ham & cheese sandwich", 650, 7),
    ("WAT-1", "Still water", 200, 19),
    ("OJ-1", "Orange juice", 420, 19),
    ("BEANS-1", "House blend beans", 2490, 7),
    ("SPARK-1", "Sparkling water 0.5 l", 180, 19),
]
WEIGHED = {"BEANS-1": "KGM"}  # sold by the kilogram, weighed at the counter
BOTTLED = {"SPARK-1": 25}  # a deposit (Pfand) on each bottle, in cents, outside VAT
# A breakfast deal: a coffee and a pastry together, a euro off, shared over the two lines.
BREAKFAST = ({"CAP-1", "FLW-1", "ESP-1"}, {"CRO-1", "MUF-1"}, 100)
# How slips show the card, as real terminals print them: most the last 4 digits only or the
# first 6 and last 4, a few no digits but the acquirer's reference (SPEC §12).
PRINTED = (("last4", 0.46), ("reference", 0.06), ("full", 0.48))
SPLIT_TENDER_SHARE = 0.12  # slips paid partly in cash or with a gift card
CASH_ROUNDING = 5  # the till rounds a cash part to 5 cents, as Dutch and Finnish tills do
# Tills' documents that misprint a field no total uses (a unit price): taken as printed,
# with a warning (SPEC §12).
MISPRINTED_SHARE = 0.03
CURRENCY = "EUR"
CARD_BIN = "412345"
# How cardholders pay, beside a plain card (SPEC §14), each share of all checkouts: a phone
# wallet paying with its token (the slip giving the account's PAR on half of those),
# cashback at the till, a tourist's card charged in its own currency (DCC), a sale voided at
# the till and reversed to the issuer.
SCENARIOS = {"wallet": 0.075, "wallet_par": 0.075, "cashback": 0.03, "dcc": 0.02, "void": 0.01}
TOKEN_BIN = "489537"  # the simulated issuer's wallet tokens are numbers of their own range
WALLETS = ("apple_pay", "google_pay", "samsung_pay")
PAR_CONTROLLER = "V001"
CASHBACK_AMOUNTS = (1000, 2000, 5000)
# A Swede's card at the Berlin café, charged in kronor at the terminal's rate: the reference
# rate with the printed markup on top, as the slip shows both.
DCC_CURRENCY = "SEK"
DCC_MARKUP = Decimal("3.5")
DCC_RATE = (Decimal("11.2233") * (1 + DCC_MARKUP / 100)).quantize(Decimal("0.0001"))
MERCHANT_NAME = "Cafe Central"
TERMINAL_ID = "T0001"
CARD_ACCEPTOR_ID = "CAFECENTRAL0001"
OPENING_BALANCE = 1_000_000
# Who the demo merchant is in law: its receipts name it (SPEC §12), and a till speaking
# Kivra's or the ARTS format prints it in each document.
DEMO_MERCHANT = {
    "legal_name": "Café Central GmbH",
    "vat_id": "DE136695976",
    "address": {"street": "Herrengasse 14", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    "kivra_service_id": "15594097552e6dfbe7ca6d4679acd8120c3344cc8c",
}


class SimulationError(RuntimeError):
    """A party of the simulation did not answer as it should."""


def _derive(label: str) -> bytes:
    return hmac.new(settings().require_platform_secret(), label.encode(), hashlib.sha256).digest()


def _card_number(bin_: str, label: str) -> str:
    """A 16-digit number with a valid check digit, derived from label."""
    digits = bin_ + "".join(str(byte % 10) for byte in _derive(label)[:9])
    checksum = sum(int(d) if i % 2 else sum(divmod(int(d) * 2, 10)) for i, d in enumerate(reversed(digits)))
    return digits + str((10 - checksum % 10) % 10)


def demo_card_number(account_ref: str) -> str:
    """The card number the simulated issuer gave this account: derived, never stored."""
    return _card_number(CARD_BIN, f"sim-pan:{account_ref}")


def demo_token_number(account_ref: str) -> str:
    """The device account number of the account's phone wallet: its own BIN, derived."""
    return _card_number(TOKEN_BIN, f"sim-token:{account_ref}")


def demo_wallet(account_ref: str) -> str:
    return WALLETS[_derive(f"sim-wallet:{account_ref}")[0] % len(WALLETS)]


def demo_par(account_ref: str) -> str:
    """The account's Payment Account Reference: the BIN controller's 4 characters, 25 more."""
    alphabet = string.digits + string.ascii_uppercase
    return PAR_CONTROLLER + "".join(alphabet[byte % len(alphabet)] for byte in _derive(f"sim-par:{account_ref}")[:25])


def foreign_account(account_ref: str) -> str:
    """The account of the cardholder's card from home, in DCC_CURRENCY."""
    return f"{account_ref}-{DCC_CURRENCY}"


def _pan_hash(pan: str) -> str:
    return _derive(f"sim-pan-hash:{pan}").hex()


def _call(
    path: str, body: bytes, content_type: str, headers: dict | None = None, patience: float = 20.0
) -> tuple[int, bytes]:
    """POST to another party through the gateway; a 429 or 503 (or a gateway not answering)
    is tried again after its Retry-After, for up to patience seconds, as a POS or an issuer
    with store-and-forward would. Every submission is idempotent by its own id."""
    url = settings().public_url + path
    deadline = time.monotonic() + patience
    while True:
        try:
            response = outbound.post(url, body, {"Content-Type": content_type, **(headers or {})}, timeout=30)
        except outbound.FAILED as error:
            if time.monotonic() + 1.0 > deadline:
                raise SimulationError(f"{path} unreachable: {error}") from error
            time.sleep(1.0)
            continue
        retry_after = response.headers.get("Retry-After")
        pause = min(float(retry_after), 5.0) if retry_after and retry_after.isdigit() else 1.0
        if response.status not in (429, 503) or time.monotonic() + pause > deadline:
            return response.status, response.body
        time.sleep(pause)


# --- the parties' credentials, registered by `make demo` after it onboards them -------------


def register(connection: Connection, kind: str, party_id: str, api_key: str, webhook_secret: str) -> None:
    connection.execute(
        text(
            "INSERT INTO sim_parties (kind, party_id, api_key, webhook_secret) VALUES (:kind, :id, :key, :secret)"
            " ON CONFLICT (kind) DO UPDATE SET party_id = EXCLUDED.party_id, api_key = EXCLUDED.api_key,"
            " webhook_secret = EXCLUDED.webhook_secret, registered_at = now()"
        ),
        {"kind": kind, "id": party_id, "key": api_key, "secret": webhook_secret},
    )


def credentials(connection: Connection, kind: str):
    row = connection.execute(
        text("SELECT party_id, api_key, webhook_secret FROM sim_parties WHERE kind = :kind"), {"kind": kind}
    ).one_or_none()
    if row is None:
        raise NotFound(f"no simulated {kind} is registered: run make demo")
    return row


# --- the merchant's POS ----------------------------------------------------------------------


def ring_up(rng: random.Random) -> dict:
    """A receipt of 1–4 demo items at 19 % and 7 %, as a café's till rings it up: some with a
    happy-hour discount, beans weighed, a deposit under each bottle, a breakfast deal shared
    over its coffee and pastry; the VAT per rate the till prints is left to the platform to
    compute, the tax it prints is the same."""
    lines: list[dict] = []
    for sku, description, price, rate in rng.sample(DEMO_SKUS, rng.randint(1, 4)):
        if sku in WEIGHED:
            quantity = Decimal(rng.randint(125, 750)).scaleb(-3)
            lines.append(
                {
                    "description": description,
                    "sku": sku,
                    "quantity": float(quantity),
                    "unit": WEIGHED[sku],
                    "unit_price": price,
                    "amount": half_up(quantity * price),
                    "vat_rate": rate,
                }
            )
            continue
        count = rng.randint(1, 3)
        line: dict = {"description": description, "sku": sku, "quantity": count, "unit_price": price, "vat_rate": rate}
        if rng.random() < 0.2:
            line["discounts"] = [{"description": "Happy hour", "amount": count * price // 10}]
        line["amount"] = count * price - sum(discount["amount"] for discount in line.get("discounts", ()))
        lines.append(line)
        if sku in BOTTLED:
            lines.append(
                {
                    "description": "Pfand",
                    "quantity": count,
                    "unit_price": BOTTLED[sku],
                    "amount": count * BOTTLED[sku],
                    "vat_rate": None,
                    "vat_exemption": "deposit",
                }
            )
    discounts = _breakfast_deal(lines)
    shared = {share["line"]: share["amount"] for discount in discounts for share in discount["shares"]}
    subtotal = sum(line["amount"] for line in lines) - sum(discount["amount"] for discount in discounts)
    tax = sum(
        part.vat
        for part in breakdown(
            [
                (Decimal(line["vat_rate"]), line["amount"] - shared.get(index, 0))
                for index, line in enumerate(lines)
                if line["vat_rate"] is not None
            ],
            True,
        )
    )
    return {
        "prices_include_vat": True,
        "lines": lines,
        **({"discounts": discounts} if discounts else {}),
        "totals": {"subtotal": subtotal, "tax": tax, "tip": 0, "total": subtotal},
    }


def _breakfast_deal(lines: list[dict]) -> list[dict]:
    """The deal's discount when a coffee and a pastry are on the receipt: shared over the two
    in proportion to their amounts, as the till prorates it."""
    coffees, pastries, amount = BREAKFAST
    coffee = next((index for index, line in enumerate(lines) if line.get("sku") in coffees), None)
    pastry = next((index for index, line in enumerate(lines) if line.get("sku") in pastries), None)
    if coffee is None or pastry is None:
        return []
    linked = sorted((coffee, pastry))
    shares = allocate(amount, [lines[index]["amount"] for index in linked])
    return [
        {
            "description": "Breakfast deal",
            "amount": amount,
            "shares": [{"line": index, "amount": share} for index, share in zip(linked, shares)],
        }
    ]


def _tenders(total: int, rng: random.Random) -> list[dict]:
    """What the slip shows paid beside the card: now and then cash or a gift card."""
    if total < 200 or rng.random() >= SPLIT_TENDER_SHARE:
        return []
    return [{"type": rng.choice(("cash", "gift_card")), "amount": rng.randint(100, total // 2)}]


def round_cash(invoice: dict, tenders: list[dict]) -> None:
    """Round a cash part to CASH_ROUNDING cents, the rounding part of the receipt's total."""
    for tender in tenders:
        if tender["type"] == "cash":
            rounded = (tender["amount"] + CASH_ROUNDING // 2) // CASH_ROUNDING * CASH_ROUNDING
            invoice["totals"]["rounding"] = rounded - tender["amount"]
            invoice["totals"]["total"] += rounded - tender["amount"]
            tender["amount"] = rounded


def _printed(number: str, rng: random.Random) -> dict:
    """The card number (or a wallet's token) as this slip prints it."""
    printed = rng.choices([kind for kind, _ in PRINTED], [share for _, share in PRINTED])[0]
    if printed == "reference":
        return {}
    return {"masked_pan": "**** **** **** " + number[-4:] if printed == "last4" else mask_pan(number)}


def draw_scenario(rng: random.Random) -> str:
    """How the next cardholder pays, in the mix SCENARIOS gives."""
    draw = rng.random()
    for scenario, share in SCENARIOS.items():
        if draw < share:
            return scenario
        draw -= share
    return "card"


def converted(amount: int) -> int:
    """amount (in CURRENCY's minor units) in DCC_CURRENCY's, at the rate the slip prints."""
    return half_up(amount * DCC_RATE)


def _paid_by(account_ref: str, scenario: str, purchase: int, now: datetime, rng: random.Random) -> tuple[dict, Charge]:
    """The card line the slip prints for the card's part of the purchase (before the
    issuer's auth code and the RRN), and what the processor asks the issuer to charge."""
    tokenised = scenario in ("wallet", "wallet_par")
    number = demo_token_number(account_ref) if tokenised else demo_card_number(account_ref)
    card_line: dict = {
        **_printed(number, rng),
        "amount": purchase,
        "currency": CURRENCY,
        "transaction_date": now.date().isoformat(),
        "transaction_time": now.strftime("%H:%M:%S"),
        "terminal_id": TERMINAL_ID,
        "scheme": "VISA",
    }
    if tokenised:
        card_line["wallet"] = demo_wallet(account_ref)
    if scenario == "wallet_par":
        card_line["par"] = demo_par(account_ref)
    charge = Charge(number, purchase, CURRENCY)
    if scenario == "cashback":
        cashback = rng.choice(CASHBACK_AMOUNTS)
        card_line |= {"amount": purchase + cashback, "cashback": cashback}
        charge = replace(charge, amount=purchase + cashback, cashback=cashback)
    if scenario == "dcc":
        card_line["dcc"] = {
            "currency": DCC_CURRENCY,
            "amount": converted(purchase),
            "exchange_rate": str(DCC_RATE),
            "markup_percent": str(DCC_MARKUP),
        }
        charge = replace(charge, amount=converted(purchase), currency=DCC_CURRENCY, converted=True)
    return card_line, charge


def checkout(
    engine: Engine,
    account_ref: str,
    scenario: str | None = None,
    document_format: str = "json",
    rng: random.Random | None = None,
) -> dict:
    """One purchase at the simulated POS, paid by a demo card of account_ref as scenario
    says (drawn from the realistic mix if not given; with cash or a gift card beside it now
    and then), its receipt sent in document_format (json, kivra or arts); a void is voided
    at the till after its receipt was sent, and reversed to the issuer. It holds no
    database connection while it calls the issuer and the platform."""
    rng = rng or random.Random()
    scenario = scenario or draw_scenario(rng)
    if scenario == "dcc":  # a tourist's card, in the currency of home
        account_ref, currency = foreign_account(account_ref), DCC_CURRENCY
    else:
        currency = CURRENCY
    with engine.begin() as connection:
        open_account(connection, account_ref, currency)  # the cardholder banks with the simulated issuer
        merchant = credentials(connection, "merchant")
    invoice = ring_up(rng)
    now = datetime.now().astimezone()
    tenders = _tenders(invoice["totals"]["total"], rng)
    purchase = invoice["totals"]["total"] - sum(tender["amount"] for tender in tenders)
    round_cash(invoice, tenders)
    card_line, charge = _paid_by(account_ref, scenario, purchase, now, rng)
    authorization = authorize(charge, now)
    if not authorization["approved"]:
        return {"approved": False, "response_code": authorization["response_code"]}
    receipt = {
        "merchant_receipt_id": f"POS-{uuid.uuid4().hex[:12].upper()}",
        "issued_at": now.isoformat(timespec="seconds"),
        "currency": CURRENCY,
        **invoice,
        "payments": [
            card_line | {"auth_code": authorization["auth_code"], "rrn": authorization["rrn"]},
            *tenders,
        ],
    }
    misprinted = document_format != "json" and rng.random() < MISPRINTED_SHARE
    merchant_key = {"Authorization": f"Bearer {merchant.api_key}"}
    status, body = _call("/v1/receipts", *till_document(receipt, document_format, misprinted), merchant_key)
    if status not in (200, 201):
        raise SimulationError(f"the platform refused the receipt: {status} {body[:200]!r}")
    accepted = json.loads(body)
    if scenario == "void":
        void_sale(accepted["id"], merchant_key, charge, now, authorization)
    return {
        "approved": True,
        "scenario": scenario,
        "account_ref": account_ref,
        "receipt_id": accepted["id"],
        "merchant_receipt_id": receipt["merchant_receipt_id"],
        "auth_code": authorization["auth_code"],
        "rrn": authorization["rrn"],
        "total": invoice["totals"]["total"],
        "warnings": [warning["code"] for warning in accepted.get("warnings", ())],
    }


def void_sale(receipt_id: str, merchant_key: dict, charge: Charge, local: datetime, authorization: dict) -> None:
    """The till voids a sale after its receipt was sent: the platform voids the receipt, and
    the processor reverses the charge to the issuer."""
    status, body = _call(f"/v1/receipts/{receipt_id}/void", b"", formats.JSON, merchant_key)
    if status != 200:
        raise SimulationError(f"the platform refused the void: {status} {body[:200]!r}")
    reverse(charge, local, authorization)


def till_document(receipt: dict, document_format: str, misprinted: bool = False) -> tuple[bytes, str]:
    """The receipt as a till speaking that format sends it (its VAT per rate printed), and
    its Content-Type; misprinted, its first line's unit price is a euro off, as a till whose
    price file has a typing error prints it (no total uses it)."""
    if document_format == "json":
        return json.dumps(receipt).encode(), formats.JSON
    printed = ReceiptSubmission.model_validate_json(json.dumps(receipt)).check().model_dump(mode="json")
    if misprinted and printed["lines"][0]["unit_price"] is not None:
        printed["lines"][0]["unit_price"] += 100
    issued_at = datetime.fromisoformat(receipt["issued_at"])
    merchant = {"id": CARD_ACCEPTOR_ID, "name": MERCHANT_NAME, **DEMO_MERCHANT}
    if document_format == "kivra":
        return json.dumps(kivra.document(printed, merchant, issued_at)).encode(), formats.KIVRA
    return arts.document(printed, merchant, issued_at), formats.ARTS


# --- the payment processor -------------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """What the processor asks of the card's issuer: the number the terminal read (the
    card's, or a wallet's token), the amount in the currency the card is charged in, the
    cash paid out inside it, and whether the cardholder chose to pay in their own currency."""

    number: str
    amount: int
    currency: str
    cashback: int = 0
    converted: bool = False

    def fields(self) -> dict[int, str]:
        fields = {
            2: self.number,
            3: iso8583.PURCHASE_WITH_CASHBACK if self.cashback else iso8583.PURCHASE,
            4: str(self.amount),
            49: iso8583.CURRENCY_NUMBERS[self.currency],
        }
        if self.cashback:
            fields[54] = iso8583.additional_amount(iso8583.CASHBACK, self.currency, self.cashback)
        if self.converted:  # the account is billed in the currency the cardholder chose
            fields[6], fields[51] = fields[4], fields[49]
        return fields


def _exchange(mti: str, fields: dict[int, str], local: datetime, answer_mti: str) -> dict[int, str]:
    """Send a message to the card's issuer (stamped with the transmission time, a trace
    number and the acceptor) and read its answer."""
    request = iso8583.pack(
        mti,
        fields
        | {
            7: iso8583.transmission_time(datetime.now(UTC)),
            11: f"{secrets.randbelow(10**6):06d}",
            12: iso8583.local_time(local.time()),
            13: iso8583.local_date(local.date()),
            41: TERMINAL_ID,
            42: CARD_ACCEPTOR_ID,
            43: MERCHANT_NAME,
        },
    )
    status, answer = _call("/sim/issuer", request, "application/octet-stream")
    if status != 200:
        raise SimulationError(f"the issuer answered {status}")
    answered, answer_fields = iso8583.unpack(answer)
    if answered != answer_mti:
        raise SimulationError(f"the issuer answered a {answered} to a {mti}")
    return answer_fields


def authorize(charge: Charge, local: datetime) -> dict:
    """Send a 0200 to the card's issuer and read its 0210."""
    rrn = local.strftime("%y%j") + f"{secrets.randbelow(10**7):07d}"
    fields = _exchange(
        iso8583.AUTHORIZATION_REQUEST, charge.fields() | {37: rrn}, local, iso8583.AUTHORIZATION_RESPONSE
    )
    return {
        "approved": fields[39] == iso8583.APPROVED,
        "response_code": fields[39],
        "auth_code": fields.get(38),
        "rrn": fields[37],
    }


def reverse(charge: Charge, local: datetime, authorization: dict) -> None:
    """Send a 0400 reversing an approved sale in full, as a till's void does, and read its 0410."""
    fields = _exchange(
        iso8583.REVERSAL_REQUEST,
        charge.fields() | {37: authorization["rrn"], 38: authorization["auth_code"]},
        local,
        iso8583.REVERSAL_RESPONSE,
    )
    if fields[39] != iso8583.APPROVED:
        raise SimulationError(f"the issuer refused the reversal: {fields[39]}")


# --- the issuing bank ------------------------------------------------------------------------


def open_account(connection: Connection, account_ref: str, currency: str = CURRENCY) -> None:
    connection.execute(
        text(
            "INSERT INTO sim_accounts (account_ref, pan_hash, token_hash, balance, currency)"
            " VALUES (:ref, :hash, :token_hash, :balance, :currency)"
            " ON CONFLICT (account_ref) DO UPDATE SET token_hash = EXCLUDED.token_hash"
            " WHERE sim_accounts.token_hash IS NULL"  # an account opened before its wallet was
        ),
        {
            "ref": account_ref,
            "hash": _pan_hash(demo_card_number(account_ref)),
            "token_hash": _pan_hash(demo_token_number(account_ref)),
            "balance": OPENING_BALANCE,
            "currency": currency,
        },
    )


def respond(engine: Engine, message: bytes) -> bytes:
    """The simulated issuer's answer: a 0210 to a 0200, a 0410 to a 0400."""
    mti, fields = iso8583.unpack(message)
    if mti == iso8583.AUTHORIZATION_REQUEST:
        return _authorization(engine, fields)
    if mti == iso8583.REVERSAL_REQUEST:
        return _reversal(engine, fields)
    raise iso8583.MessageError(f"the issuer takes 0200 and 0400, not {mti}")


def _bank_payment_id(fields: dict[int, str], auth_code: str) -> str:
    """The issuer's id of a payment, from what its authorisation and any reversal of it both
    carry (terminal, RRN, auth code): found again without being stored."""
    return "TXN-" + hashlib.sha256(f"{fields[41]}:{fields[37]}:{auth_code}".encode()).hexdigest()[:16].upper()


def _authorization(engine: Engine, fields: dict[int, str]) -> bytes:
    """Approve and debit, report the payment to the platform, answer 0210. A number read from
    a phone is the wallet's token: the issuer (its own token vault) knows its account, and
    reports the card's number with the token and the account's PAR.

    The debit commits before the platform is called (no connection is held across the
    call), and is refunded if the platform refuses the payment."""
    amount, currency = int(fields[4]), iso8583.CURRENCY_CODES[fields[49]]
    with engine.begin() as connection:
        bank = credentials(connection, "bank")
        account = connection.execute(
            text(
                "UPDATE sim_accounts SET balance = balance - :amount"
                " WHERE (pan_hash = :hash OR token_hash = :hash) AND balance >= :amount AND currency = :currency"
                " RETURNING account_ref, token_hash = :hash AS tokenised"
            ),
            {"amount": amount, "hash": _pan_hash(fields[2]), "currency": currency},
        ).one_or_none()
    answer = {11: fields[11], 37: fields[37], 41: fields[41]}
    if account is None:
        return iso8583.pack(iso8583.AUTHORIZATION_RESPONSE, {**answer, 39: iso8583.INSUFFICIENT_FUNDS})
    auth_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    year = datetime.now(UTC).year
    payment: dict = {
        "bank_payment_id": _bank_payment_id(fields, auth_code),
        "account_ref": account.account_ref,
        "pan": demo_card_number(account.account_ref),
        "auth_code": auth_code,
        "amount": amount,
        "currency": currency,
        "transaction_date": f"{year}-{fields[13][:2]}-{fields[13][2:]}",
        "transaction_time": f"{fields[12][:2]}:{fields[12][2:4]}:{fields[12][4:]}",
        "merchant_name": fields[43],
        "terminal_id": fields[41],
        "rrn": fields[37],
        "kind": "purchase",
    }
    if account.tokenised:
        payment["token"] = {"pan": fields[2], "wallet": demo_wallet(account.account_ref)}
        payment["par"] = demo_par(account.account_ref)
    if cashback := iso8583.additional_amounts(fields.get(54)).get(iso8583.CASHBACK):
        payment["cashback_amount"] = cashback
    if 6 in fields:
        payment["billing_amount"] = int(fields[6])
        payment["billing_currency"] = iso8583.CURRENCY_CODES[fields[51]]
    try:
        _report(bank, "/v1/payments", payment)
    except SimulationError:
        _credit(engine, account.account_ref, amount)
        raise
    return iso8583.pack(iso8583.AUTHORIZATION_RESPONSE, {**answer, 38: auth_code, 39: iso8583.APPROVED})


def _reversal(engine: Engine, fields: dict[int, str]) -> bytes:
    """Reverse an approved sale in full: report the reversal to the platform (once per
    0400: its trace number names it), then credit the account, answer 0410."""
    with engine.connect() as connection:
        bank = credentials(connection, "bank")
        account = connection.execute(
            text("SELECT account_ref FROM sim_accounts WHERE pan_hash = :hash OR token_hash = :hash"),
            {"hash": _pan_hash(fields[2])},
        ).one_or_none()
    answer = {11: fields[11], 37: fields[37], 41: fields[41]}
    if account is None or 38 not in fields:
        return iso8583.pack(iso8583.REVERSAL_RESPONSE, {**answer, 39: iso8583.NO_SUCH_TRANSACTION})
    _report(
        bank,
        "/v1/payments/reversals",
        {"bank_payment_id": _bank_payment_id(fields, fields[38]), "reversal_id": f"REV-{fields[37]}-{fields[11]}"},
    )
    _credit(engine, account.account_ref, int(fields[4]))
    return iso8583.pack(iso8583.REVERSAL_RESPONSE, {**answer, 39: iso8583.APPROVED})


def _report(bank, path: str, body: dict) -> None:
    """Tell the platform, as the bank."""
    status, answer = _call(path, json.dumps(body).encode(), formats.JSON, {"Authorization": f"Bearer {bank.api_key}"})
    if status not in (200, 201):
        raise SimulationError(f"the platform refused {path}: {status} {answer[:200]!r}")


def _credit(engine: Engine, account_ref: str, amount: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE sim_accounts SET balance = balance + :amount WHERE account_ref = :ref"),
            {"amount": amount, "ref": account_ref},
        )


# --- the parties' webhook receivers ----------------------------------------------------------


def receive_callback(
    connection: Connection, kind: str, signature: str | None, event_id: str | None, body: bytes
) -> bool:
    """Verify and keep a callback; False if this event id was received before."""
    party = credentials(connection, kind)
    if not signature or not verify(party.webhook_secret, signature, body):
        raise Unauthenticated("the Receipts-Signature does not verify")
    callback = json.loads(body)
    if callback.get("id") != event_id:
        raise Forbidden("Receipts-Event-Id does not name the body's event")
    data = callback["data"]
    return (
        connection.execute(
            text(
                "INSERT INTO sim_callbacks (event_id, party_kind, receipt_id, payment_id, account_ref, body)"
                " VALUES (:id, :kind, :receipt, :payment, :account, CAST(:body AS jsonb))"
                " ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
            ),
            {
                "id": event_id,
                "kind": kind,
                "receipt": data.get("receipt_id") or data.get("receipt", {}).get("id"),
                "payment": data.get("payment_id"),
                "account": data.get("account_ref"),
                "body": body.decode(),
            },
        ).first()
        is not None
    )


def statement(connection: Connection, account_ref: str) -> dict:
    """The simulated bank's view of an account: payments with the receipts called back."""
    rows = connection.execute(
        text(
            "SELECT body FROM sim_callbacks WHERE party_kind = 'bank' AND account_ref = :ref ORDER BY received_at DESC"
        ),
        {"ref": account_ref},
    ).all()
    return {"account_ref": account_ref, "payments": [row.body["data"] for row in rows]}


def callback_log(connection: Connection, since: datetime) -> dict:
    """Where the receivers listen (as the platform reaches them), and per receipt how many
    callbacks they took since a moment and when the last one came."""
    rows = connection.execute(
        text(
            "SELECT receipt_id, count(*) AS callbacks, max(received_at) AS last_received_at FROM sim_callbacks"
            " WHERE received_at >= :since AND receipt_id IS NOT NULL GROUP BY receipt_id"
        ),
        {"since": since},
    ).all()
    receivers = {kind: f"{settings().public_url}/sim/{kind}/callbacks" for kind in ("merchant", "bank")}
    return {
        "receivers": receivers,
        "since": since.isoformat(),
        "receipts": [
            {
                "receipt_id": str(row.receipt_id),
                "callbacks": row.callbacks,
                "last_received_at": row.last_received_at.isoformat(),
            }
            for row in rows
        ],
    }
