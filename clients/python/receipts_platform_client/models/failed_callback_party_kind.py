from enum import StrEnum


class FailedCallbackPartyKind(StrEnum):
    BANK = "bank"
    MERCHANT = "merchant"

    def __str__(self) -> str:
        return str(self.value)
