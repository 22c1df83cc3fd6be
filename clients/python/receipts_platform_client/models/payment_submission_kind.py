from enum import StrEnum


class PaymentSubmissionKind(StrEnum):
    PURCHASE = "purchase"
    REFUND = "refund"

    def __str__(self) -> str:
        return str(self.value)
