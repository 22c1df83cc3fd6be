from enum import StrEnum


class StatementPaymentCardKeyType0(StrEnum):
    PAN = "pan"
    PAR = "par"
    REFERENCE = "reference"
    TOKEN = "token"

    def __str__(self) -> str:
        return str(self.value)
