"""A unit of work in memory, for the service layer's tests: the same repositories' methods
as shared.write.unit_of_work hands out, over dicts. Its matches are decided by the
reference matcher (shared.domain.matching), which the property test holds the SQL to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

from shared.domain.events import PAYMENT_CLEARED, Event
from shared.domain.matching import EXACT, MANUAL, CardLine, CardPayment, decide
from shared.domain.parties import Party
from shared.write.matching import Outcome
from shared.write.repositories import Stored


@dataclass
class Store:
    """What the fake write model holds, shared by the units of work made on it."""

    parties: dict[uuid.UUID, SimpleNamespace] = field(default_factory=dict)
    keys: dict[str, Party] = field(default_factory=dict)
    receipts: dict[tuple[uuid.UUID, str], Stored] = field(default_factory=dict)
    lines: dict[tuple[uuid.UUID, int], CardLine] = field(default_factory=dict)
    payments: dict[tuple[uuid.UUID, str], SimpleNamespace] = field(default_factory=dict)
    matched: dict[tuple[uuid.UUID, int], tuple[uuid.UUID, str]] = field(default_factory=dict)  # line → payment, rule
    merchants: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # receipt id → merchant id
    unlinked: set[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=set)  # (payment id, receipt id)
    callbacks: list[dict] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # committed, in order
    audit: list[tuple] = field(default_factory=list)  # committed: (actor, action, object kind, object id)
    sweeping: bool = False


class FakeUnitOfWork:
    def __init__(self, store: Store | None = None):
        self.store = store or Store()
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        self._events: list[Event] = []
        self.parties = _Parties(self.store)
        self.receipts = _Receipts(self.store, self._events)
        self.payments = _Payments(self.store, self._events)
        self.matches = _Matches(self.store, self._events)
        self.callbacks = _Callbacks(self.store)
        self._audited: list[tuple] = []
        self.audit = SimpleNamespace(record=lambda *entry: self._audited.append(entry))
        self.committed = False
        return self

    def record(self, event: Event) -> None:
        self._events.append(event)

    def commit(self) -> None:
        self.store.events.extend(self._events)
        self.store.audit.extend(self._audited)
        self.committed = True

    def __exit__(self, *exc_info) -> None:
        pass


class _Parties:
    def __init__(self, store: Store):
        self.store = store

    def add(
        self, party: Party, name: str, callback_url: str, key_hash: str, shown: str, identity: dict | None = None
    ) -> bool:
        if party.id in self.store.parties:
            return False
        self.store.parties[party.id] = SimpleNamespace(
            id=party.id,
            kind=party.kind,
            name=name,
            callback_url=callback_url,
            identity=identity or {},
            webhook_secret_version=1,
            endpoint_disabled=False,
            version=1,
        )
        self.store.keys[key_hash] = party
        return True

    def change(self, party: Party, callback_url: str | None, identity: dict):
        state = self.store.parties.get(party.id)
        if state is None:
            return None
        state.callback_url = callback_url or state.callback_url
        state.identity |= identity
        state.version += 1
        return state

    def country(self, merchant: Party) -> str | None:
        return self.store.parties[merchant.id].identity.get("address", {}).get("country")

    def by_key_hash(self, key_hash: str) -> Party | None:
        return self.store.keys.get(key_hash)


class _Receipts:
    def __init__(self, store: Store, events: list[Event]):
        self.store, self._events = store, events

    def add(self, receipt_id, merchant_id, fingerprint, receipt, submitted: Event) -> bool:
        key = (merchant_id, receipt.merchant_receipt_id)
        if key in self.store.receipts:
            return False
        self.store.receipts[key] = Stored(receipt_id, fingerprint, "unmatched", submitted.data.get("warnings", []))
        self.store.merchants[receipt_id] = merchant_id
        for line_no, tender in enumerate(receipt.card_lines, start=1):
            digits = tender.masked_pan
            self.store.lines[receipt_id, line_no] = CardLine(
                receipt_id=receipt_id,
                line_no=line_no,
                kind="refund" if receipt.is_refund else "purchase",
                currency=tender.dcc.currency if tender.dcc else tender.currency,
                amount=tender.dcc.amount if tender.dcc else tender.amount,
                transaction_date=tender.transaction_date,
                pan_bin=digits[:6] if digits and digits[:6].isdigit() else None,
                pan_last4=digits[-4:] if digits else None,
                auth_code=tender.auth_code,
                terminal_id=tender.terminal_id,
                rrn=tender.rrn,
                par=tender.par,
            )
        self._events.append(submitted)
        return True

    def owned(self, merchant_id, receipt_id) -> bool:
        return any(key[0] == merchant_id and stored.id == receipt_id for key, stored in self.store.receipts.items())

    def named(self, merchant_id, reference: str):
        return next(
            (
                stored.id
                for (merchant, own_id), stored in self.store.receipts.items()
                if merchant == merchant_id and reference in (own_id, str(stored.id))
            ),
            None,
        )

    def stored(self, merchant_id, merchant_receipt_id: str) -> Stored:
        return self.store.receipts[merchant_id, merchant_receipt_id]


class _Payments:
    def __init__(self, store: Store, events: list[Event]):
        self.store, self._events = store, events

    def add(self, payment_id, bank_id, fingerprint, masked_pan, payment, submitted: Event) -> bool:
        key = (bank_id, payment.bank_payment_id)
        if key in self.store.payments:
            return False
        token = payment.token.masked()["masked_pan"] if payment.token else None
        self.store.payments[key] = SimpleNamespace(
            id=payment_id,
            bank_id=bank_id,
            kind=payment.kind,
            fingerprint=fingerprint,
            status="unmatched",
            receipt_id=None,
            match_rule=None,
            bank_payment_id=payment.bank_payment_id,
            amount=payment.amount,
            authorised_amount=None,
            currency=payment.currency,
            line_amount=None,
            card=CardPayment(
                id=payment_id,
                kind=payment.kind,
                currency=payment.currency,
                amount=payment.amount,
                transaction_date=payment.transaction_date,
                pan_bin=masked_pan[:6],
                pan_last4=masked_pan[-4:],
                auth_code=payment.auth_code,
                terminal_id=payment.terminal_id,
                rrn=payment.rrn,
                token_bin=token[:6] if token else None,
                token_last4=token[-4:] if token else None,
                par=payment.par,
            ),
        )
        self._events.append(submitted)
        return True

    def stored(self, bank_id, bank_payment_id: str) -> Stored:
        payment = self.store.payments[bank_id, bank_payment_id]
        return Stored(payment.id, payment.fingerprint, payment.status)

    def locked(self, bank_id, bank_payment_id: str):
        payment = self.store.payments.get((bank_id, bank_payment_id))
        return None if payment is None else SimpleNamespace(**vars(payment))  # a row: as it was read

    def clear(self, payment_id, amount: int, status: str, receipt_id, match_rule, event_type=PAYMENT_CLEARED) -> None:
        payment = _payment(self.store, payment_id)
        payment.authorised_amount = payment.authorised_amount or payment.amount
        payment.amount, payment.status, payment.receipt_id, payment.match_rule = amount, status, receipt_id, match_rule
        payment.card = replace(payment.card, amount=amount)
        self._events.append(Event(event_type, payment_id, {"amount": amount, "status": status}))


class _Matches:
    def __init__(self, store: Store, events: list[Event]):
        self.store, self._events = store, events

    def wait_out_sweep(self) -> bool:
        return not self.store.sweeping

    def match_items(self, receipt_ids, payment_ids) -> Outcome:
        """The exact rule for the pairs of these items, as the reference matcher decides it;
        ambiguous payments stay candidates and are never claimed. (Receipts' own statuses
        are not kept here: a split tender is matched line by line.)"""
        if self.store.sweeping:
            return Outcome(0, 0, 0, deferred=True)
        lines = [line for key, line in self.store.lines.items() if key not in self.store.matched]
        payments = {payment.id: payment for payment in self.store.payments.values()}
        open_payments = [payment.card for payment in payments.values() if payment.status in ("unmatched", "ambiguous")]
        held = {payment.id for payment in payments.values() if payment.status == "ambiguous"}
        decision = decide(
            EXACT,
            lines,
            open_payments,
            0.25,
            held=held,
            unlinked=self.store.unlinked,
            focus={*receipt_ids, *payment_ids},
        )
        events = []
        for key, payment_id in decision.claimed.items():
            self.store.matched[key] = (payment_id, EXACT)
            payment = payments[payment_id]
            payment.status, payment.receipt_id, payment.match_rule = "matched", key[0], EXACT
            payment.line_amount = self.store.lines[key].amount
            events.append(Event("receipts.payment.matched.v1", payment_id, {"receipt_id": str(key[0])}))
        for kind, item_id in decision.ambiguous:
            if kind == "payment" and payments[item_id].status == "unmatched":
                payments[item_id].status = "ambiguous"
        self._events.extend(events)
        return Outcome(
            len(decision.claimed), len({key[0] for key in decision.claimed}), len(decision.ambiguous), events
        )

    # The operator's decisions.

    def payment(self, payment_id):
        return _payment(self.store, payment_id)

    def card_lines(self, receipt_id) -> list:
        return [
            SimpleNamespace(
                line_no=line.line_no,
                currency=line.currency,
                kind=line.kind,
                payment_id=self.store.matched.get(key, (None, None))[0],
                receipt_status="unmatched",  # the fakes neither void nor reverse
            )
            for key, line in sorted(self.store.lines.items())
            if key[0] == receipt_id
        ]

    def lock_keys(self, receipt_ids, payment_ids) -> None:
        pass

    def matched(self, payment_id):
        for (receipt_id, line_no), (matched, rule) in self.store.matched.items():
            if matched == payment_id:
                payment = self.payment(payment_id)
                return SimpleNamespace(
                    receipt_id=receipt_id,
                    line_no=line_no,
                    match_rule=rule,
                    bank_id=payment.bank_id,
                    merchant_id=self.store.merchants[receipt_id],
                    transaction_date=payment.card.transaction_date,
                )
        return None

    def claim_by_hand(self, receipt_id, line_no, payment_id) -> bool:
        if (receipt_id, line_no) in self.store.matched or self.matched(payment_id) is not None:
            return False
        self.store.matched[receipt_id, line_no] = (payment_id, MANUAL)
        payment = self.payment(payment_id)
        payment.status, payment.receipt_id, payment.match_rule = "matched", receipt_id, MANUAL
        self._events.append(Event("receipts.payment.matched.v1", payment_id, {"receipt_id": str(receipt_id)}))
        return True

    def unlink(self, payment_id, receipt_id) -> None:
        self.release(payment_id)
        payment = self.payment(payment_id)
        payment.status, payment.receipt_id, payment.match_rule = "unmatched", None, None
        self.store.unlinked.add((payment_id, receipt_id))

    def release(self, payment_id) -> None:
        for key, (matched, _) in list(self.store.matched.items()):
            if matched == payment_id:
                del self.store.matched[key]
                self._events.append(Event("receipts.receipt.unmatched.v1", key[0], {}))


class _Callbacks:
    def __init__(self, store: Store):
        self.store = store

    def record_unlinked(self, payment_id, receipt_id, reason: str = "clearing") -> None:
        payment = _payment(self.store, payment_id)
        self.store.callbacks.append(
            {
                "type": "receipt.unlinked",
                "payment_id": payment_id,
                "receipt_id": receipt_id,
                "reason": reason,
                "amount": payment.amount,
            }
        )


def _payment(store: Store, payment_id) -> SimpleNamespace | None:
    return next((payment for payment in store.payments.values() if payment.id == payment_id), None)
