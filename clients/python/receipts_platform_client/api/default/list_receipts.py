from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_receipts_status_type_0 import ListReceiptsStatusType0
from ...models.receipt_page import ReceiptPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: ListReceiptsStatusType0 | None | Unset = UNSET,
    warnings: bool | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ListReceiptsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_warnings: bool | None | Unset
    if isinstance(warnings, Unset):
        json_warnings = UNSET
    else:
        json_warnings = warnings
    params["warnings"] = json_warnings

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/receipts",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ReceiptPage | None:
    if response.status_code == 200:
        response_200 = ReceiptPage.from_dict(response.json())

        return response_200

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

    if response.status_code == 414:
        response_414 = ErrorResponse.from_dict(response.json())

        return response_414

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
) -> Response[ErrorResponse | ReceiptPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: ListReceiptsStatusType0 | None | Unset = UNSET,
    warnings: bool | None | Unset = UNSET,
) -> Response[ErrorResponse | ReceiptPage]:
    """The merchant's receipts, newest first

     Takes the merchant API key.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): next_cursor of the previous page
        status (ListReceiptsStatusType0 | None | Unset):
        warnings (bool | None | Unset): true: only the receipts taken with warnings; false: only
            those without

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ReceiptPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        warnings=warnings,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: ListReceiptsStatusType0 | None | Unset = UNSET,
    warnings: bool | None | Unset = UNSET,
) -> ErrorResponse | ReceiptPage | None:
    """The merchant's receipts, newest first

     Takes the merchant API key.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): next_cursor of the previous page
        status (ListReceiptsStatusType0 | None | Unset):
        warnings (bool | None | Unset): true: only the receipts taken with warnings; false: only
            those without

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ReceiptPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        status=status,
        warnings=warnings,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: ListReceiptsStatusType0 | None | Unset = UNSET,
    warnings: bool | None | Unset = UNSET,
) -> Response[ErrorResponse | ReceiptPage]:
    """The merchant's receipts, newest first

     Takes the merchant API key.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): next_cursor of the previous page
        status (ListReceiptsStatusType0 | None | Unset):
        warnings (bool | None | Unset): true: only the receipts taken with warnings; false: only
            those without

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ReceiptPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        status=status,
        warnings=warnings,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    status: ListReceiptsStatusType0 | None | Unset = UNSET,
    warnings: bool | None | Unset = UNSET,
) -> ErrorResponse | ReceiptPage | None:
    """The merchant's receipts, newest first

     Takes the merchant API key.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): next_cursor of the previous page
        status (ListReceiptsStatusType0 | None | Unset):
        warnings (bool | None | Unset): true: only the receipts taken with warnings; false: only
            those without

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ReceiptPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            status=status,
            warnings=warnings,
        )
    ).parsed
