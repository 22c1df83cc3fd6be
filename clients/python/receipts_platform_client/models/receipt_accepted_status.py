from enum import StrEnum


class ReceiptAcceptedStatus(StrEnum):
    AMBIGUOUS = "ambiguous"
    EXPIRED = "expired"
    MATCHED = "matched"
    REVERSED = "reversed"
    UNMATCHED = "unmatched"
    VOIDED = "voided"

    def __str__(self) -> str:
        return str(self.value)
