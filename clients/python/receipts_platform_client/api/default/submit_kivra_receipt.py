from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.receipt_accepted import ReceiptAccepted
from ...models.submit_kivra_receipt_body import SubmitKivraReceiptBody
from ...types import Response


def _get_kwargs(
    *,
    body: SubmitKivraReceiptBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/receipts/kivra",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = 'application/json; profile="https://se.receipts.kivra.com/schemas/json/retail/v1.1"'

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ReceiptAccepted | None:
    if response.status_code == 200:
        response_200 = ReceiptAccepted.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = ReceiptAccepted.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = ErrorResponse.from_dict(response.json())

        return response_414

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorResponse.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ReceiptAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: SubmitKivraReceiptBody,
) -> Response[ErrorResponse | ReceiptAccepted]:
    """Submit a till's own document: Kivra's retail receipt, as printed (the same as POST /v1/receipts with
    its Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: the document is valid against its
    owner's schema (422 names the failing path); it is taken as printed: what it breaks of
    submitReceipt's rules comes back as warnings, and only one with no card tender (no_card_payment), or
    none the platform can match on (card_data_missing), is refused (422 lists what it breaks).

    Args:
        body (SubmitKivraReceiptBody): Kivra's retail receipt v1.1 (DRJSON), valid against
            https://se.receipts.kivra.com/schemas/json/retail/v1.1; amounts in major units

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ReceiptAccepted]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: SubmitKivraReceiptBody,
) -> ErrorResponse | ReceiptAccepted | None:
    """Submit a till's own document: Kivra's retail receipt, as printed (the same as POST /v1/receipts with
    its Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: the document is valid against its
    owner's schema (422 names the failing path); it is taken as printed: what it breaks of
    submitReceipt's rules comes back as warnings, and only one with no card tender (no_card_payment), or
    none the platform can match on (card_data_missing), is refused (422 lists what it breaks).

    Args:
        body (SubmitKivraReceiptBody): Kivra's retail receipt v1.1 (DRJSON), valid against
            https://se.receipts.kivra.com/schemas/json/retail/v1.1; amounts in major units

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ReceiptAccepted
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: SubmitKivraReceiptBody,
) -> Response[ErrorResponse | ReceiptAccepted]:
    """Submit a till's own document: Kivra's retail receipt, as printed (the same as POST /v1/receipts with
    its Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: the document is valid against its
    owner's schema (422 names the failing path); it is taken as printed: what it breaks of
    submitReceipt's rules comes back as warnings, and only one with no card tender (no_card_payment), or
    none the platform can match on (card_data_missing), is refused (422 lists what it breaks).

    Args:
        body (SubmitKivraReceiptBody): Kivra's retail receipt v1.1 (DRJSON), valid against
            https://se.receipts.kivra.com/schemas/json/retail/v1.1; amounts in major units

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ReceiptAccepted]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: SubmitKivraReceiptBody,
) -> ErrorResponse | ReceiptAccepted | None:
    """Submit a till's own document: Kivra's retail receipt, as printed (the same as POST /v1/receipts with
    its Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: the document is valid against its
    owner's schema (422 names the failing path); it is taken as printed: what it breaks of
    submitReceipt's rules comes back as warnings, and only one with no card tender (no_card_payment), or
    none the platform can match on (card_data_missing), is refused (422 lists what it breaks).

    Args:
        body (SubmitKivraReceiptBody): Kivra's retail receipt v1.1 (DRJSON), valid against
            https://se.receipts.kivra.com/schemas/json/retail/v1.1; amounts in major units

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ReceiptAccepted
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
