from enum import StrEnum


class ReceiptSubmissionKindType0(StrEnum):
    REFUND = "refund"
    SALE = "sale"

    def __str__(self) -> str:
        return str(self.value)
