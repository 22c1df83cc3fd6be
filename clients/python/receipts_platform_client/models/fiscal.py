from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Fiscal")


@_attrs_define
class Fiscal:
    """What the till's security module (TSE) signed, as Germany's KassenSichV asks (SPEC §12);
    the receipt page prints it as the DSFinV-K QR code.

        Attributes:
            client_id (str):
            tse_serial (str):
            transaction_number (int):
            signature_counter (int):
            start_time (str):
            end_time (str):
            process_type (str):
            process_data (str):
            signature_algorithm (str):
            time_format (str):
            signature (str):
            public_key (str):
    """

    client_id: str
    tse_serial: str
    transaction_number: int
    signature_counter: int
    start_time: str
    end_time: str
    process_type: str
    process_data: str
    signature_algorithm: str
    time_format: str
    signature: str
    public_key: str

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        tse_serial = self.tse_serial

        transaction_number = self.transaction_number

        signature_counter = self.signature_counter

        start_time = self.start_time

        end_time = self.end_time

        process_type = self.process_type

        process_data = self.process_data

        signature_algorithm = self.signature_algorithm

        time_format = self.time_format

        signature = self.signature

        public_key = self.public_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_id": client_id,
                "tse_serial": tse_serial,
                "transaction_number": transaction_number,
                "signature_counter": signature_counter,
                "start_time": start_time,
                "end_time": end_time,
                "process_type": process_type,
                "process_data": process_data,
                "signature_algorithm": signature_algorithm,
                "time_format": time_format,
                "signature": signature,
                "public_key": public_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        tse_serial = d.pop("tse_serial")

        transaction_number = d.pop("transaction_number")

        signature_counter = d.pop("signature_counter")

        start_time = d.pop("start_time")

        end_time = d.pop("end_time")

        process_type = d.pop("process_type")

        process_data = d.pop("process_data")

        signature_algorithm = d.pop("signature_algorithm")

        time_format = d.pop("time_format")

        signature = d.pop("signature")

        public_key = d.pop("public_key")

        fiscal = cls(
            client_id=client_id,
            tse_serial=tse_serial,
            transaction_number=transaction_number,
            signature_counter=signature_counter,
            start_time=start_time,
            end_time=end_time,
            process_type=process_type,
            process_data=process_data,
            signature_algorithm=signature_algorithm,
            time_format=time_format,
            signature=signature,
            public_key=public_key,
        )

        return fiscal
