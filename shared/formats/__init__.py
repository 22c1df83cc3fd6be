"""Receipts in the formats tills already produce and bank apps already read (SPEC §12):
Kivra's retail receipt JSON (v1.1) and ARTS Digital Receipt 2.0 XML.

`read` checks a document against its owner's schema and maps it to the platform's receipt
(`Imported`); `kivra.document` and `arts.document` write a receipt view back out. Both
schemas are the owners' files, unchanged, in `schemas/` with their licences.
"""

from __future__ import annotations

import importlib

from shared.formats.document import Imported

KIVRA_PROFILE = "https://se.receipts.kivra.com/schemas/json/retail/v1.1"
KIVRA = f'application/json; profile="{KIVRA_PROFILE}"'
ARTS = "application/xml"
JSON = "application/json"
HTML = "text/html"


def kind_of(mimetype: str, params: dict) -> str | None:
    """Which document a request body is, by its Content-Type: json, kivra, arts, or None."""
    if mimetype == JSON:
        return "kivra" if params.get("profile") == KIVRA_PROFILE else "json"
    if mimetype in (ARTS, "text/xml"):
        return "arts"
    return None


# What GET /v1/receipts/{id} answers in, by Accept; the first is the default.
OFFERED = {"json": JSON, "html": HTML, "kivra": KIVRA, "arts": ARTS}

# The tills' documents, each also at a path of its own, in (/v1/receipts/kivra) and out
# (/v1/receipts/{id}/kivra): a generated client gets an operation of one body type each. At
# its own path a document is taken in any of these media types.
DOCUMENTS = {"kivra": "application/json (with or without Kivra's profile)", "arts": "application/xml or text/xml"}
# The representations a link can name by its path (/v1/receipts/{id}/html): all but the JSON.
LINKED = ("html", *DOCUMENTS)

# What Kivra's document needs of the merchant's identity, each by the fields that give it
# (406 names what is missing).
KIVRA_NEEDS = {
    "kivra_service_id": ("kivra_service_id",),
    "address": ("address",),
    "vat_id or tax_number": ("vat_id", "tax_number"),
}


def negotiate(accept: str | None) -> str | None:
    """The representation an Accept header prefers among OFFERED (json when it says
    nothing), or None if it accepts none of them. A range naming a profile matches only
    that profile; application/json without one is the platform's JSON."""
    best, best_rank = None, (0.0, 0)
    for position, accepted in enumerate((accept or "*/*").split(",")):
        media, *parameters = [part.strip() for part in accepted.split(";")]
        params = dict(parameter.partition("=")[::2] for parameter in parameters if "=" in parameter)
        params = {key.strip().lower(): value.strip().strip('"') for key, value in params.items()}
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            continue
        kind, rank = _matching(media.lower(), params.get("profile")), (quality, -position)
        if kind is not None and quality > 0 and rank > best_rank:
            best, best_rank = kind, rank
    return best


def _matching(media: str, profile: str | None) -> str | None:
    """The offered representation a media range names first, if any."""
    if profile is not None:
        return "kivra" if media in ("application/json", "application/*", "*/*") and profile == KIVRA_PROFILE else None
    exact = {JSON: "json", HTML: "html", ARTS: "arts", "text/xml": "arts", "*/*": "json"}
    if media in exact:
        return exact[media]
    if media.endswith("/*"):
        return next((kind for kind, offered in OFFERED.items() if offered.startswith(media[:-1])), None)
    return None


def read(kind: str, body: bytes) -> Imported:
    """A Kivra or ARTS document as the platform's receipt: 400 if it does not parse (or, for
    XML, declares a DTD or an entity), 422 naming the failing path if it breaks its owner's
    schema or cannot be mapped."""
    # Imported here, not above: every function imports this package for its media types,
    # and jsonschema alone takes some 40 ms to import.
    return importlib.import_module(f"shared.formats.{kind}").read(body)


__all__ = [
    "ARTS",
    "DOCUMENTS",
    "HTML",
    "Imported",
    "JSON",
    "KIVRA",
    "KIVRA_NEEDS",
    "KIVRA_PROFILE",
    "LINKED",
    "OFFERED",
    "kind_of",
    "negotiate",
    "read",
]
