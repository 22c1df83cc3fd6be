"""What a match is called: the rules that make one (recorded on every match, SPEC §5 and
§11) and the states a receipt or payment goes through. Names only; the SQL of each rule is
the write side's (shared.matching)."""

from __future__ import annotations

from typing import Literal

Status = Literal["unmatched", "matched", "ambiguous", "expired"]

EXACT = "exact"
# The tolerant rules, in cascade order after EXACT.
DATE_WINDOW = "date_window"
TIP = "tip"
NO_AUTH_CODE = "no_auth_code"
# The automatic cascade, in the order it is tried.
RULES = (EXACT, DATE_WINDOW, TIP, NO_AUTH_CODE)
# The operator's match (SPEC §11): never made automatically.
MANUAL = "manual"
