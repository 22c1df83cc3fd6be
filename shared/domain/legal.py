"""Whether a receipt is legally complete, judged by the merchant's country (SPEC §12).

The rules, with their sources (docs/api.md lists them too):
- DE, gross total up to 250 €: §33 UStDV (the supplier's name and address, the issue date,
  quantity and description of each item, the gross amount per VAT rate and the rate) and
  §6 KassenSichV (the till's security-module data: the fiscal block);
- DE above 250 €: §14(4) UStG adds the VAT id or tax number, a sequential number, and
  the net amount and VAT per rate;
- another EU member state: Art. 226b of the VAT Directive 2006/112/EC (issue date, the
  supplier's identification, a description of the goods or services, the VAT payable or
  the data to compute it);
- elsewhere: no jurisdiction, and no judgement.

A till's document taken as printed (SPEC §12) may not add up: the paths of its warnings
about its figures are listed as inconsistent, and a receipt with any is not complete.

A receipt view is a dict as the API shows it: its merchant carries the identity.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Legal(BaseModel):
    """Whether the receipt can stand in for the paper slip where its merchant is."""

    jurisdiction: str | None  # the merchant's country, where rules are known
    complete: bool | None  # None: no judgement (no known rules)
    missing: list[str]  # the receipt's fields the law asks for and it lacks, as paths
    # where a till's document taken as printed does not add up, as its warnings' paths (only then)
    inconsistent: list[str] | None = None


EU = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
# A warning that says nothing of the receipt's figures: the return's original is elsewhere.
_NOT_ABOUT_FIGURES = frozenset({"original_unknown"})
# §33 UStDV's small-amount invoice: up to 250 € gross.
SMALL_AMOUNT_EUR = 25_000


def judge(receipt: dict[str, Any]) -> dict[str, object]:
    """{"jurisdiction", "complete", "missing": [field paths], "inconsistent": [paths]} for a receipt view."""
    merchant = receipt.get("merchant") or {}
    address = (receipt.get("store") or {}).get("address") or merchant.get("address")
    country = (merchant.get("address") or address or {}).get("country")
    inconsistent = list(
        dict.fromkeys(
            warning["path"] for warning in receipt.get("warnings") or () if warning["code"] not in _NOT_ABOUT_FIGURES
        )
    )
    named = {"inconsistent": inconsistent} if inconsistent else {}
    if country not in EU:
        return {"jurisdiction": None, "complete": None, "missing": [], **named}
    missing = []
    if not merchant.get("legal_name"):
        missing.append("merchant.legal_name")
    if not address:
        missing.append("merchant.address")
    has_rates = bool((receipt.get("totals") or {}).get("vat"))
    if country == "DE":
        small = receipt.get("currency") == "EUR" and receipt["totals"]["total"] <= SMALL_AMOUNT_EUR
        if not has_rates:
            missing.append("totals.vat")  # the gross amount per rate and the rate; above 250 € the net and VAT too
        if not small and not (merchant.get("vat_id") or merchant.get("tax_number")):
            missing.append("merchant.vat_id")
        if not receipt.get("fiscal"):
            missing.append("fiscal")
    else:
        if not (merchant.get("vat_id") or merchant.get("tax_number")):
            missing.append("merchant.vat_id")
        if not has_rates and not (receipt.get("totals") or {}).get("tax"):
            missing.append("totals.vat")
    return {"jurisdiction": country, "complete": not missing and not inconsistent, "missing": missing, **named}
