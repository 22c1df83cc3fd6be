"""The base of every request model: strict JSON types, no unknown fields."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from shared.domain.errors import Violation

# The tags of discriminated unions (which kind of tender a payment line is, say): a
# validation error's path leaves them out, so it names the field as the body spells it.
UNION_TAGS: set[str] = set()

# pydantic's exclude for a model's fields: a field left out whole (True), or what to leave
# out of the model it holds, or of the models in the list it holds (by index).
Exclusions = dict[str, "bool | Exclusions | dict[int, Exclusions]"]


def violations(error: ValidationError) -> list[Violation]:
    """pydantic's errors as the platform's violations, the input never echoed (it may hold
    a card number)."""
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    return [Violation(field_name(problem["loc"]), problem["type"], problem["msg"]) for problem in problems]


def field_name(loc: tuple[int | str, ...]) -> str:
    """A field as the body spells it: payments[0].amount (not payments.0.card.amount)."""
    path = ""
    for previous, part in zip((None, *loc), loc):
        if isinstance(previous, int) and part in UNION_TAGS:
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


class RequestModel(BaseModel):
    # strict: no "12" for 12 and no 12.0 for money; forbid: a misspelt field is an error,
    # not silently dropped data.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    # Fields a model gained after its first release. While at their default they are left
    # out of its fingerprint and its stored form, so a body sent before they existed keeps
    # its fingerprint (an idempotent replay stays a replay) and its shape.
    later_fields: ClassVar[frozenset[str]] = frozenset()

    def fingerprint(self, key: bytes) -> str:
        """A keyed hash of the normalised request: equal for the same body sent twice.

        Keyed, because a request may hold a PAN and a plain hash of one is guessable.
        """
        return hmac.new(
            key, self.model_dump_json(exclude=self.later_defaults() or None).encode(), hashlib.sha256
        ).hexdigest()

    def stored(self) -> dict[str, Any]:
        """The request as JSON data, as it is stored and carried by events."""
        return self.model_dump(mode="json", exclude=self.later_defaults() or None)

    @classmethod
    @functools.cache
    def _later_default(cls, name: str) -> object:
        # Once per class and field: pydantic inspects a default factory's signature on
        # every get_default, which was a third of a receipt's CPU.
        return cls.model_fields[name].get_default(call_default_factory=True)

    def later_defaults(self) -> Exclusions:
        """pydantic's exclude for the later fields still at their default, however nested."""
        exclude: Exclusions = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in self.later_fields and value == self._later_default(name):
                exclude[name] = True
            elif isinstance(value, RequestModel):
                if nested := value.later_defaults():
                    exclude[name] = nested
            elif isinstance(value, (list, tuple)):
                if by_index := {
                    index: found
                    for index, item in enumerate(value)
                    if isinstance(item, RequestModel) and (found := item.later_defaults())
                }:
                    exclude[name] = by_index
        return exclude


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """Text PostgreSQL can store, 1 to `max_length` characters: `Annotated[str, Text(64)]`."""

    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(min_length=1, max_length=self.max_length)
        yield Field(json_schema_extra={"pattern": _NO_NUL})
        yield AfterValidator(_storable)


def _integral(value: object) -> object:
    """JSON Schema's integer is any number without a fraction: 820.0 is 820. Anything
    else stays as it came, for the strict check to refuse (8.2, "820", true)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Integer(GroupedMetadata):
    """A count or an amount in minor units: an integer as JSON Schema means it, in bounds.
    `Annotated[int, Integer(0, 499)]`."""

    minimum: int
    maximum: int
    description: str | None = None

    def __iter__(self) -> Iterator[object]:
        yield Field(ge=self.minimum, le=self.maximum, description=self.description)
        yield BeforeValidator(_integral)


def in_form(form: re.Pattern[str], code: str, message: str) -> AfterValidator:
    """A validator refusing text that does not match form, under the platform's own error
    code (pydantic's string_pattern_mismatch would name no rule); the field's document
    states form as its pattern."""

    def check(value: str) -> str:
        if not form.fullmatch(value):
            raise PydanticCustomError(code, message)
        return value

    return AfterValidator(check)


# PostgreSQL's text holds neither a NUL nor a lone surrogate (which is not UTF-8). The
# document says the first; the second is not a Unicode character to begin with.
_NO_NUL = r"^[^\u0000]*$"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise PydanticCustomError("unstorable_text", "text without NUL characters or lone surrogates")
    return value


@dataclass(frozen=True)
class Number(GroupedMetadata):
    """A JSON number read exactly, as a Decimal with at most `places` decimals (a VAT rate, a
    weighed quantity): never a string or a boolean; written back as 19 or 0.512, never "19".
    `Annotated[Decimal, Number(2, "0", "100", …)]`."""

    places: int
    minimum: str
    maximum: str
    code: str
    what: str
    description: str
    examples: tuple[int | float, ...]

    def read(self, value: object) -> Decimal:
        if type(value) not in (Decimal, int, float):  # exactly: a bool is not a number here
            raise PydanticCustomError(
                f"{self.code}_type", f"{self.what} is a number, as {self.examples[0]} or {self.examples[-1]}"
            )
        number = value if isinstance(value, Decimal) else Decimal(value if isinstance(value, int) else str(value))
        if not number.is_finite() or (
            _exponent(number) < -self.places and _exponent(number.normalize()) < -self.places
        ):  # 25.000 is 25: places, not written zeros
            raise PydanticCustomError(f"{self.code}_precision", f"{self.what} has at most {self.places} decimals")
        return number

    def __iter__(self) -> Iterator[object]:
        lowest, highest = Decimal(self.minimum), Decimal(self.maximum)
        yield BeforeValidator(self.read)
        yield Field(ge=lowest, le=highest)
        yield PlainSerializer(json_number, when_used="json")
        yield WithJsonSchema(
            {
                "type": "number",
                "minimum": json_number(lowest),
                "maximum": json_number(highest),
                "multipleOf": json_number(Decimal(1).scaleb(-self.places)),
                "description": self.description,
                "examples": list(self.examples),
            }
        )


def _exponent(number: Decimal) -> int:
    """A finite decimal's exponent: -3 for 0.512."""
    value = number.as_tuple().exponent
    assert isinstance(value, int), "only a finite decimal has an integer exponent"
    return value


def json_number(value: Decimal) -> int | float:
    """As JSON writes an exact decimal: 19, not "19" or 19.0; 5.5."""
    return int(value) if value == value.to_integral_value() else float(value)
