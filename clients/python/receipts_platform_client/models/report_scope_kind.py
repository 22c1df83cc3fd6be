from enum import StrEnum


class ReportScopeKind(StrEnum):
    BANK = "bank"
    MERCHANT = "merchant"
    OPERATOR = "operator"

    def __str__(self) -> str:
        return str(self.value)
