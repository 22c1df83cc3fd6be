from enum import StrEnum


class AuditObjectKind(StrEnum):
    API_KEY = "api_key"
    BANK = "bank"
    DEAD_LETTER = "dead_letter"
    ERASURE = "erasure"
    MERCHANT = "merchant"
    PAYMENT = "payment"

    def __str__(self) -> str:
        return str(self.value)
