"""Callback signatures and customer ids (SPEC §6), without I/O."""

import uuid

from shared.write.auth import customer_id
from shared.write.signatures import sign, verify

SECRET = "whsec_test"
BODY = b'{"id":"e1","type":"receipt.matched","data":{}}'


def test_a_signature_verifies_with_the_secret():
    assert verify(SECRET, sign(SECRET, BODY), BODY)


def test_a_tampered_body_fails():
    assert not verify(SECRET, sign(SECRET, BODY), BODY.replace(b"e1", b"e2"))


def test_another_secret_fails():
    assert not verify("whsec_other", sign(SECRET, BODY), BODY)


def test_an_old_timestamp_fails_even_when_the_digest_is_right():
    old = sign(SECRET, BODY, timestamp=1_700_000_000)
    assert not verify(SECRET, old, BODY)
    assert verify(SECRET, old, BODY, now=1_700_000_100)


def test_a_malformed_header_fails():
    assert not verify(SECRET, "v1=abc", BODY) and not verify(SECRET, "", BODY)


def test_the_signature_is_the_spec_format():
    header = sign(SECRET, BODY, timestamp=1_800_000_000)
    assert header.startswith("t=1800000000,v1=") and len(header.split("v1=")[1]) == 64


def test_a_customer_id_is_stable_per_merchant_and_account():
    merchant, bank = uuid.uuid4(), uuid.uuid4()
    assert customer_id(merchant, bank, "acct-1") == customer_id(merchant, bank, "acct-1")
    assert customer_id(merchant, bank, "acct-1") != customer_id(merchant, bank, "acct-2")


def test_two_merchants_get_different_ids_for_the_same_cardholder():
    bank = uuid.uuid4()
    assert customer_id(uuid.uuid4(), bank, "acct-1") != customer_id(uuid.uuid4(), bank, "acct-1")


def test_a_customer_id_does_not_reveal_the_account():
    assert "acct-1" not in customer_id(uuid.uuid4(), uuid.uuid4(), "acct-1")
