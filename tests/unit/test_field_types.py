"""A constrained field's metadata sits on the type it constrains: Text on str, Integer on
int, Number on Decimal, with None outside (`Annotated[str, Text(64)] | None`). mypy reads
only the type, so a mismatch would pass it and fail on a request."""

from __future__ import annotations

import importlib
import pkgutil
import typing
from decimal import Decimal

import pytest
from pydantic import BaseModel

import shared
from shared.domain.base import Integer, Number, Text

CONSTRAINS = {Text: str, Integer: int, Number: Decimal}


def models() -> list[type[BaseModel]]:
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        importlib.import_module(module.name)
    found, waiting = [], [BaseModel]
    while waiting:
        for model in waiting.pop().__subclasses__():
            waiting.append(model)
            if model.__module__.startswith("shared."):
                found.append(model)
    return found


def constrained(hint: object) -> typing.Iterator[tuple[object, object]]:
    """(metadata, the type it is attached to) for every Annotated inside hint."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *metadata = typing.get_args(hint)
        for item in metadata:
            yield item, base
        yield from constrained(base)
    else:
        for argument in typing.get_args(hint):
            yield from constrained(argument)


MODELS = models()


def test_the_models_are_found():
    names = {model.__name__ for model in MODELS}
    assert {"ReceiptSubmission", "ReceiptLine", "PaymentSubmission", "ManualMatch"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: f"{model.__module__}.{model.__name__}")
def test_each_constraint_sits_on_its_type(model):
    for name, hint in typing.get_type_hints(model, include_extras=True).items():
        for item, base in constrained(hint):
            if type(item) in CONSTRAINS:
                assert base is CONSTRAINS[type(item)], f"{model.__name__}.{name}: {item} on {base}"
