from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.receipt_accepted import ReceiptAccepted
from ...models.receipt_submission import ReceiptSubmission
from ...types import Response


def _get_kwargs(
    *,
    body: ReceiptSubmission,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/receipts",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

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
    body: ReceiptSubmission,
) -> Response[ErrorResponse | ReceiptAccepted]:
    """Submit an itemised receipt in the platform's JSON (a till's own document: submitKivraReceipt,
    submitArtsReceipt, or this path with the document's Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: each line's amount is quantity ×
    unit_price (rounded half up) − its discounts; a receipt discount's shares add up to its amount, each
    on a line with an amount; subtotal is the sum of the lines less the receipt's discounts; total is
    subtotal + tax + tip + rounding (without tax when prices_include_vat); once any line has a vat_rate,
    every other line has one or a vat_exemption (never both), totals.vat is per rate over the lines less
    their discount shares (net + vat = gross, within 1 minor unit per line) and tax its sum; the tenders
    add up to total, at least one of them a card line (with masked_pan, or rrn and terminal_id), in the
    receipt's currency; refund_of names one of your receipts (and kind, if given, is refund) (422 lists
    what it breaks).

    Args:
        body (ReceiptSubmission):

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
    body: ReceiptSubmission,
) -> ErrorResponse | ReceiptAccepted | None:
    """Submit an itemised receipt in the platform's JSON (a till's own document: submitKivraReceipt,
    submitArtsReceipt, or this path with the document's Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: each line's amount is quantity ×
    unit_price (rounded half up) − its discounts; a receipt discount's shares add up to its amount, each
    on a line with an amount; subtotal is the sum of the lines less the receipt's discounts; total is
    subtotal + tax + tip + rounding (without tax when prices_include_vat); once any line has a vat_rate,
    every other line has one or a vat_exemption (never both), totals.vat is per rate over the lines less
    their discount shares (net + vat = gross, within 1 minor unit per line) and tax its sum; the tenders
    add up to total, at least one of them a card line (with masked_pan, or rrn and terminal_id), in the
    receipt's currency; refund_of names one of your receipts (and kind, if given, is refund) (422 lists
    what it breaks).

    Args:
        body (ReceiptSubmission):

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
    body: ReceiptSubmission,
) -> Response[ErrorResponse | ReceiptAccepted]:
    """Submit an itemised receipt in the platform's JSON (a till's own document: submitKivraReceipt,
    submitArtsReceipt, or this path with the document's Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: each line's amount is quantity ×
    unit_price (rounded half up) − its discounts; a receipt discount's shares add up to its amount, each
    on a line with an amount; subtotal is the sum of the lines less the receipt's discounts; total is
    subtotal + tax + tip + rounding (without tax when prices_include_vat); once any line has a vat_rate,
    every other line has one or a vat_exemption (never both), totals.vat is per rate over the lines less
    their discount shares (net + vat = gross, within 1 minor unit per line) and tax its sum; the tenders
    add up to total, at least one of them a card line (with masked_pan, or rrn and terminal_id), in the
    receipt's currency; refund_of names one of your receipts (and kind, if given, is refund) (422 lists
    what it breaks).

    Args:
        body (ReceiptSubmission):

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
    body: ReceiptSubmission,
) -> ErrorResponse | ReceiptAccepted | None:
    """Submit an itemised receipt in the platform's JSON (a till's own document: submitKivraReceipt,
    submitArtsReceipt, or this path with the document's Content-Type)

     Takes the merchant API key. Beyond its schema, the body must hold: each line's amount is quantity ×
    unit_price (rounded half up) − its discounts; a receipt discount's shares add up to its amount, each
    on a line with an amount; subtotal is the sum of the lines less the receipt's discounts; total is
    subtotal + tax + tip + rounding (without tax when prices_include_vat); once any line has a vat_rate,
    every other line has one or a vat_exemption (never both), totals.vat is per rate over the lines less
    their discount shares (net + vat = gross, within 1 minor unit per line) and tax its sum; the tenders
    add up to total, at least one of them a card line (with masked_pan, or rrn and terminal_id), in the
    receipt's currency; refund_of names one of your receipts (and kind, if given, is refund) (422 lists
    what it breaks).

    Args:
        body (ReceiptSubmission):

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
