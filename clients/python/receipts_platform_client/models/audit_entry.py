from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_actor import AuditActor
    from ..models.audit_object import AuditObject


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """One privileged action: who did what to which object, when, in which request.

    Attributes:
        id (str):
        at (str):
        actor (AuditActor | Literal['operator']):
        action (str):
        object_ (AuditObject):
        request_id (None | str):
    """

    id: str
    at: str
    actor: AuditActor | Literal["operator"]
    action: str
    object_: AuditObject
    request_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_actor import AuditActor

        id = self.id

        at = self.at

        actor: dict[str, Any] | Literal["operator"]
        if isinstance(self.actor, AuditActor):
            actor = self.actor.to_dict()
        else:
            actor = self.actor

        action = self.action

        object_ = self.object_.to_dict()

        request_id: None | str
        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "at": at,
                "actor": actor,
                "action": action,
                "object": object_,
                "request_id": request_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_actor import AuditActor
        from ..models.audit_object import AuditObject

        d = dict(src_dict)
        id = d.pop("id")

        at = d.pop("at")

        def _parse_actor(data: object) -> AuditActor | Literal["operator"]:
            actor_type_0 = cast(Literal["operator"], data)
            if actor_type_0 != "operator":
                raise ValueError(f"actor_type_0 must match const 'operator', got '{actor_type_0}'")
            return actor_type_0
            if not isinstance(data, dict):
                raise TypeError()
            actor_type_1 = AuditActor.from_dict(data)

            return actor_type_1

        actor = _parse_actor(d.pop("actor"))

        action = d.pop("action")

        object_ = AuditObject.from_dict(d.pop("object"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        audit_entry = cls(
            id=id,
            at=at,
            actor=actor,
            action=action,
            object_=object_,
            request_id=request_id,
        )

        audit_entry.additional_properties = d
        return audit_entry

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
