from enum import StrEnum


class OtherTenderType(StrEnum):
    CASH = "cash"
    GIFT_CARD = "gift_card"
    OTHER = "other"
    VOUCHER = "voucher"

    def __str__(self) -> str:
        return str(self.value)
