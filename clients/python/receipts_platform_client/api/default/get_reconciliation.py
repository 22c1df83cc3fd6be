import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.reconciliation_report import ReconciliationReport
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    date: datetime.date | Unset = UNSET,
    days: int | Unset = 14,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_date: str | Unset = UNSET
    if not isinstance(date, Unset):
        json_date = date.isoformat()
    params["date"] = json_date

    params["days"] = days

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/reconciliation",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ReconciliationReport | None:
    if response.status_code == 200:
        response_200 = ReconciliationReport.from_dict(response.json())

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
) -> Response[ErrorResponse | ReconciliationReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
    days: int | Unset = 14,
) -> Response[ErrorResponse | ReconciliationReport]:
    """One day's reconciliation report (Accept: text/html for the dashboard)

     Takes the merchant, bank or operator API key.

    Args:
        date (datetime.date | Unset): the day reported (YYYY-MM-DD); today (UTC) by default
        days (int | Unset): how many days, ending on date, the match-rate series covers Default:
            14.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ReconciliationReport]
    """

    kwargs = _get_kwargs(
        date=date,
        days=days,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
    days: int | Unset = 14,
) -> ErrorResponse | ReconciliationReport | None:
    """One day's reconciliation report (Accept: text/html for the dashboard)

     Takes the merchant, bank or operator API key.

    Args:
        date (datetime.date | Unset): the day reported (YYYY-MM-DD); today (UTC) by default
        days (int | Unset): how many days, ending on date, the match-rate series covers Default:
            14.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ReconciliationReport
    """

    return sync_detailed(
        client=client,
        date=date,
        days=days,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
    days: int | Unset = 14,
) -> Response[ErrorResponse | ReconciliationReport]:
    """One day's reconciliation report (Accept: text/html for the dashboard)

     Takes the merchant, bank or operator API key.

    Args:
        date (datetime.date | Unset): the day reported (YYYY-MM-DD); today (UTC) by default
        days (int | Unset): how many days, ending on date, the match-rate series covers Default:
            14.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ReconciliationReport]
    """

    kwargs = _get_kwargs(
        date=date,
        days=days,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    date: datetime.date | Unset = UNSET,
    days: int | Unset = 14,
) -> ErrorResponse | ReconciliationReport | None:
    """One day's reconciliation report (Accept: text/html for the dashboard)

     Takes the merchant, bank or operator API key.

    Args:
        date (datetime.date | Unset): the day reported (YYYY-MM-DD); today (UTC) by default
        days (int | Unset): how many days, ending on date, the match-rate series covers Default:
            14.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ReconciliationReport
    """

    return (
        await asyncio_detailed(
            client=client,
            date=date,
            days=days,
        )
    ).parsed
