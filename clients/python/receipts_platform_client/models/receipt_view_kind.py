from enum import StrEnum


class ReceiptViewKind(StrEnum):
    REFUND = "refund"
    SALE = "sale"

    def __str__(self) -> str:
        return str(self.value)
