from enum import StrEnum


class ListReceiptsStatusType0(StrEnum):
    AMBIGUOUS = "ambiguous"
    EXPIRED = "expired"
    MATCHED = "matched"
    REVERSED = "reversed"
    UNMATCHED = "unmatched"
    VOIDED = "voided"

    def __str__(self) -> str:
        return str(self.value)
