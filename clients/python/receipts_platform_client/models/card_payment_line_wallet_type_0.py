from enum import StrEnum


class CardPaymentLineWalletType0(StrEnum):
    APPLE_PAY = "apple_pay"
    GOOGLE_PAY = "google_pay"
    OTHER = "other"
    SAMSUNG_PAY = "samsung_pay"

    def __str__(self) -> str:
        return str(self.value)
