"""Merchants and banks: the parties that hold API keys and receive callbacks."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.util import get_cc_module

from shared.domain.base import RequestModel, Text, in_form

PartyKind = Literal["merchant", "bank"]
MERCHANT: PartyKind = "merchant"
BANK: PartyKind = "bank"


@dataclass(frozen=True)
class Party:
    """A merchant or bank: who a caller is, once its API key is known."""

    kind: PartyKind
    id: uuid.UUID
    key_id: uuid.UUID | None = field(default=None, compare=False)  # the key it called with


@dataclass(frozen=True)
class Actor:
    """Who does a privileged action, for the audit trail: the operator (party None) or a
    party by one of its keys, and the request it came in (None: an admin process)."""

    request_id: str | None
    party: Party | None = None


OPERATOR = Actor(request_id=None)  # the operator, by an admin process (seed, dead letters)


# An absolute http(s) URL: a host name or IPv4 address, an optional port, a path and
# query of printable ASCII (no space, no fragment). The document says this pattern; the validator checks exactly it.
_HTTP_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?][!-\"$-~]*)?$")


CallbackUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2048,
        examples=["https://pos.example.com/receipts/callbacks"],
        json_schema_extra={"pattern": _HTTP_URL.pattern},
    ),
    in_form(_HTTP_URL, "invalid_callback_url", "callback_url must be an absolute http(s) URL"),
]


class PartyRegistration(RequestModel):
    name: Annotated[str, Text(200)]
    callback_url: CallbackUrl


# ISO 3166-1 alpha-2, officially assigned codes.
ISO_3166 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
    IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
    YT ZA ZM ZW
""".split()
)


def _country(code: str) -> str:
    if code not in ISO_3166:
        raise PydanticCustomError("unknown_country", "an ISO 3166-1 alpha-2 country code, as DE or SE")
    return code


Country = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", examples=["DE"], json_schema_extra={"enum": sorted(ISO_3166)}),
    AfterValidator(_country),
]


class Address(RequestModel):
    street: Annotated[str, Text(200)]
    postal_code: Annotated[str, Text(20)]
    city: Annotated[str, Text(100)]
    country: Country


def _vat_id(value: str) -> str:
    """Checked for its country's format and check digits (python-stdnum); kept compact."""
    compact = re.sub(r"[\s.-]", "", value).upper()
    try:
        if compact[:2] in ("EL", *map(str.upper, eu_vat.MEMBER_STATES)):
            return eu_vat.validate(compact)
        module = get_cc_module(compact[:2].lower(), "vat") if compact[:2].isalpha() else None
        if module is None:
            raise PydanticCustomError("invalid_vat_id", "a VAT id starts with its country's code, as DE136695976")
        return compact[:2] + module.validate(compact[2:])
    except stdnum_errors.InvalidChecksum:
        raise PydanticCustomError("invalid_vat_id_check_digits", "the VAT id's check digits are wrong") from None
    except stdnum_errors.ValidationError:
        raise PydanticCustomError("invalid_vat_id", "not a VAT id of its country's format") from None


VatId = Annotated[
    str,
    Field(min_length=4, max_length=20, pattern=r"^[A-Za-z]{2}[0-9A-Za-z .-]{2,18}$", examples=["DE136695976"]),
    AfterValidator(_vat_id),
]

MAX_LOGO_BYTES = 64 * 1024
# Base64 that starts with the PNG or the JPEG signature ("iVBORw0KGg" and o to r, "/9j/"), whole
# groups of 4. The length is checked by _logo (logo_too_large, after decoding); the
# document states it.
_B64_TAIL = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
_LOGO = rf"^(?:iVBORw0KGg[o-r][A-Za-z0-9+/]|/9j/){_B64_TAIL}"
_IMAGES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def logo_type(data: bytes) -> str | None:
    return next((kind for magic, kind in _IMAGES.items() if data.startswith(magic)), None)


def _logo(value: str) -> str:
    try:
        data = base64.b64decode(value, validate=True)
        if not re.fullmatch(_LOGO, value) and logo_type(data):
            raise ValueError("padding")  # a PNG or JPEG cut short in its signature
    except (binascii.Error, ValueError):
        raise PydanticCustomError("invalid_logo", "the logo is a PNG or JPEG image, base64-encoded") from None
    if len(data) > MAX_LOGO_BYTES:
        raise PydanticCustomError("logo_too_large", "the logo is at most 64 KiB")
    if logo_type(data) is None:
        if data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:512]:
            raise PydanticCustomError("svg_not_allowed", "an SVG logo could run script in the page: send PNG or JPEG")
        raise PydanticCustomError("invalid_logo", "the logo is a PNG or JPEG image, base64-encoded")
    return value


Logo = Annotated[
    str,
    Field(
        min_length=4,
        json_schema_extra={"maxLength": 4 * ((MAX_LOGO_BYTES + 2) // 3), "pattern": _LOGO, "contentEncoding": "base64"},
    ),
    AfterValidator(_logo),
]
KivraServiceId = Annotated[
    str, Field(pattern=r"^[0-9]{10}[0-9a-f]{32}$", examples=["15594097552e6dfbe7ca6d4679acd8120c3344cc8c"])
]


class MerchantIdentity(RequestModel):
    """Who the merchant is in law, as its receipts must name it (SPEC §12)."""

    legal_name: Annotated[str, Text(200)] | None = None
    address: Address | None = None
    vat_id: VatId | None = None
    tax_number: Annotated[str, Text(50)] | None = None
    logo: Logo | None = None
    kivra_service_id: KivraServiceId | None = None

    def identity(self) -> dict[str, Any]:
        """The fields given, as stored."""
        return {
            name: value
            for name, value in self.model_dump(mode="json", include=set(MerchantIdentity.model_fields)).items()
            if value is not None
        }


class MerchantRegistration(PartyRegistration, MerchantIdentity):
    """POST /v1/admin/merchants: the merchant's name and endpoint, and its identity."""


class KeyRequest(RequestModel):
    """POST /v1/admin/{merchants|banks}/{id}/api-keys: another key, living for good or for
    so many hours (a key handed to a contractor, a test till)."""

    expires_in_hours: Annotated[int, Field(ge=1, le=24 * 366)] | None = None


class EndpointChange(RequestModel):
    """PATCH /v1/admin/banks/{id}: where the bank's callbacks go from now on (SPEC §10), and
    the subject of the client certificate its calls must come with (SPEC §15: null unbinds
    it); what is left out stays as it was."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    callback_url: CallbackUrl | None = None
    client_cert_subject: Annotated[
        Annotated[str, Text(1024)] | None,
        Field(description="the certificate's subject as RFC 2253 writes it, e.g. CN=core,O=Example Bank,C=DE"),
    ] = None

    @model_validator(mode="after")
    def _changes_something(self) -> EndpointChange:
        if self.callback_url is None and "client_cert_subject" not in self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", "give callback_url, client_cert_subject or both")
        return self


class MerchantChange(MerchantIdentity):
    """PATCH /v1/admin/merchants/{id}: where its callbacks go from now on, and the parts of
    its identity that changed (SPEC §10, §12); what is left out stays as it was."""

    callback_url: CallbackUrl | None = None


class MerchantRef(BaseModel):
    """The merchant as a receipt names it: its identity where it gave one (the logo is on the page only)."""

    id: str
    name: str | None
    legal_name: str | None = None
    address: Address | None = None
    vat_id: str | None = None
    tax_number: str | None = None
