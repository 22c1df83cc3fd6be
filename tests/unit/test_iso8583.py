"""ISO 8583 messages of the simulated processor and issuer."""

from datetime import date, datetime, time

import pytest

from shared.simulation import iso8583


def authorization_request() -> dict[int, str]:
    return {
        2: "4123450000001234",
        3: "000000",
        4: "820",
        7: iso8583.transmission_time(datetime(2026, 11, 26, 12, 45, 2)),
        11: "000123",
        12: iso8583.local_time(time(13, 45, 2)),
        13: iso8583.local_date(date(2026, 11, 26)),
        37: "633012345678",
        41: "T0001",
        42: "CAFECENTRAL0001",
        43: "Cafe Central, Vienna",
        49: "978",
    }


def test_local_date_is_mmdd_and_local_time_hhmmss():
    assert iso8583.local_date(date(2026, 11, 26)) == "1126"
    assert iso8583.local_time(time(13, 45, 2)) == "134502"
    assert iso8583.transmission_time(datetime(2026, 1, 2, 3, 4, 5)) == "0102030405"


def test_a_0200_packs_and_unpacks_to_the_same_fields():
    message = iso8583.pack(iso8583.AUTHORIZATION_REQUEST, authorization_request())
    mti, fields = iso8583.unpack(message)
    assert mti == "0200"
    assert fields[2] == "4123450000001234" and int(fields[4]) == 820 and fields[13] == "1126"
    assert fields[12] == "134502" and fields[41] == "T0001" and fields[49] == "978"


def test_the_bitmap_marks_exactly_the_present_elements():
    message = iso8583.pack("0210", {38: "A1B2C3", 39: "00"})
    bitmap = int(message[4:20], 16)
    assert [n for n in range(1, 65) if bitmap & (1 << (64 - n))] == [38, 39]
    assert message.endswith(b"A1B2C300")


def test_fixed_numeric_elements_are_zero_padded_and_the_pan_is_length_prefixed():
    message = iso8583.pack("0200", {2: "4123450000001234", 4: "820"}).decode()
    assert message[20:38] == "164123450000001234" and message[38:50] == "000000000820"


def test_a_cashback_purchase_carries_its_cash_in_de54_behind_a_three_digit_length():
    cashback = iso8583.additional_amount(iso8583.CASHBACK, "EUR", 2000)
    assert cashback == "0040978D000000002000"
    message = iso8583.pack("0200", {3: iso8583.PURCHASE_WITH_CASHBACK, 54: cashback}).decode()
    assert message.endswith("090000" + "020" + cashback)
    _, fields = iso8583.unpack(message.encode())
    assert iso8583.additional_amounts(fields[54]) == {iso8583.CASHBACK: 2000}
    with pytest.raises(iso8583.MessageError):
        iso8583.additional_amounts(cashback[:-1])


@pytest.mark.parametrize("fields", [{4: "8.20"}, {13: "26112026"}, {99: "x"}, {2: "1" * 20}])
def test_a_malformed_element_is_refused(fields):
    with pytest.raises(iso8583.MessageError):
        iso8583.pack("0200", fields)


def test_a_truncated_message_is_refused():
    message = iso8583.pack("0200", authorization_request())
    with pytest.raises(iso8583.MessageError):
        iso8583.unpack(message[:-3])
