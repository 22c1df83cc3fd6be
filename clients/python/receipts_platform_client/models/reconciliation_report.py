from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.failed_callbacks import FailedCallbacks
    from ..models.match_rate import MatchRate
    from ..models.reconciliation_report_matched import ReconciliationReportMatched
    from ..models.reconciliation_report_matched_by_card_key import (
        ReconciliationReportMatchedByCardKey,
    )
    from ..models.report_scope import ReportScope
    from ..models.waiting_items import WaitingItems


T = TypeVar("T", bound="ReconciliationReport")


@_attrs_define
class ReconciliationReport:
    """One day's reconciliation, scoped to the caller (docs/matching.md).

    Attributes:
        date (str):
        scope (ReportScope):
        matched (ReconciliationReportMatched):
        matched_by_card_key (ReconciliationReportMatchedByCardKey):
        unmatched (WaitingItems):
        ambiguous (WaitingItems):
        expired (WaitingItems):
        failed_callbacks (FailedCallbacks):
        unlinked (int):
        drift_repaired (int | None):
        match_rate (MatchRate):
    """

    date: str
    scope: ReportScope
    matched: ReconciliationReportMatched
    matched_by_card_key: ReconciliationReportMatchedByCardKey
    unmatched: WaitingItems
    ambiguous: WaitingItems
    expired: WaitingItems
    failed_callbacks: FailedCallbacks
    unlinked: int
    drift_repaired: int | None
    match_rate: MatchRate
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        scope = self.scope.to_dict()

        matched = self.matched.to_dict()

        matched_by_card_key = self.matched_by_card_key.to_dict()

        unmatched = self.unmatched.to_dict()

        ambiguous = self.ambiguous.to_dict()

        expired = self.expired.to_dict()

        failed_callbacks = self.failed_callbacks.to_dict()

        unlinked = self.unlinked

        drift_repaired: int | None
        drift_repaired = self.drift_repaired

        match_rate = self.match_rate.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "scope": scope,
                "matched": matched,
                "matched_by_card_key": matched_by_card_key,
                "unmatched": unmatched,
                "ambiguous": ambiguous,
                "expired": expired,
                "failed_callbacks": failed_callbacks,
                "unlinked": unlinked,
                "drift_repaired": drift_repaired,
                "match_rate": match_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.failed_callbacks import FailedCallbacks
        from ..models.match_rate import MatchRate
        from ..models.reconciliation_report_matched import ReconciliationReportMatched
        from ..models.reconciliation_report_matched_by_card_key import (
            ReconciliationReportMatchedByCardKey,
        )
        from ..models.report_scope import ReportScope
        from ..models.waiting_items import WaitingItems

        d = dict(src_dict)
        date = d.pop("date")

        scope = ReportScope.from_dict(d.pop("scope"))

        matched = ReconciliationReportMatched.from_dict(d.pop("matched"))

        matched_by_card_key = ReconciliationReportMatchedByCardKey.from_dict(d.pop("matched_by_card_key"))

        unmatched = WaitingItems.from_dict(d.pop("unmatched"))

        ambiguous = WaitingItems.from_dict(d.pop("ambiguous"))

        expired = WaitingItems.from_dict(d.pop("expired"))

        failed_callbacks = FailedCallbacks.from_dict(d.pop("failed_callbacks"))

        unlinked = d.pop("unlinked")

        def _parse_drift_repaired(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        drift_repaired = _parse_drift_repaired(d.pop("drift_repaired"))

        match_rate = MatchRate.from_dict(d.pop("match_rate"))

        reconciliation_report = cls(
            date=date,
            scope=scope,
            matched=matched,
            matched_by_card_key=matched_by_card_key,
            unmatched=unmatched,
            ambiguous=ambiguous,
            expired=expired,
            failed_callbacks=failed_callbacks,
            unlinked=unlinked,
            drift_repaired=drift_repaired,
            match_rate=match_rate,
        )

        reconciliation_report.additional_properties = d
        return reconciliation_report

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
