from enum import StrEnum


class MatchRateOf(StrEnum):
    PAYMENTS = "payments"
    RECEIPTS = "receipts"

    def __str__(self) -> str:
        return str(self.value)
