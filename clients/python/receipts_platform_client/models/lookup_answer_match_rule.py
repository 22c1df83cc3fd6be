from enum import StrEnum


class LookupAnswerMatchRule(StrEnum):
    DATE_WINDOW = "date_window"
    EXACT = "exact"
    NO_AUTH_CODE = "no_auth_code"
    TIP = "tip"

    def __str__(self) -> str:
        return str(self.value)
