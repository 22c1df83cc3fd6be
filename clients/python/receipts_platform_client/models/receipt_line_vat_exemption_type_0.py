from enum import StrEnum


class ReceiptLineVatExemptionType0(StrEnum):
    DEPOSIT = "deposit"
    EXEMPT = "exempt"
    OUTSIDE_SCOPE = "outside_scope"

    def __str__(self) -> str:
        return str(self.value)
