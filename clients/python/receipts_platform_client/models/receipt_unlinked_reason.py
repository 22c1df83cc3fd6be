from enum import StrEnum


class ReceiptUnlinkedReason(StrEnum):
    CLEARING = "clearing"
    OPERATOR = "operator"
    REVERSAL = "reversal"

    def __str__(self) -> str:
        return str(self.value)
