"""Copilot usage reports: v1.0 CSV, beta JSON with paging, the legacy beta path,
the short-lived download URL, and the user count summary and trend."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import jwt
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from services.sandbox.counts import summary, trend
from services.sandbox.errors import FastJSONResponse, graph_error
from services.sandbox.formats import csv_header, csv_rows, json_row
from services.sandbox.graphauth import authenticated, require, sandbox
from services.sandbox.state import SandboxState
from services.sandbox.usage import V1_PERIODS, V2_PERIODS, UsageRow

router = APIRouter(tags=["graph reports"])
USER_DETAIL = "getMicrosoft365CopilotUsageUserDetail"
SUMMARY = "getMicrosoft365CopilotUserCountSummary"
TREND = "getMicrosoft365CopilotUserCountTrend"
_CALL = re.compile(r"^(\w+)\((.*)\)$")
_ARG = re.compile(r"\s*(\w+)\s*=\s*'([^']*)'\s*")
CSV_TYPE = "application/octet-stream"


class ReportQuery:
    def __init__(self, function: str, period: str, v2: bool, refresh: dt.date) -> None:
        self.function, self.period, self.v2, self.refresh = function, period, v2, refresh


def parse_call(segment: str, refresh: dt.date) -> ReportQuery | Response:
    match = _CALL.match(segment)
    if not match or match.group(1) not in (USER_DETAIL, SUMMARY, TREND):
        return graph_error(400, f"Resource not found for the segment '{segment}'.")
    args = dict(_ARG.findall(match.group(2)))
    v2 = args.get("version", "v1").lower() == "v2"
    period = args.get("period", "")
    if period not in (V2_PERIODS if v2 else V1_PERIODS):
        return graph_error(400, f"Invalid value '{period}' for parameter 'period'.")
    return ReportQuery(match.group(1), period, v2, refresh)


def _rows(state: SandboxState, q: ReportQuery, start: int, stop: int | None) -> Iterator[UsageRow]:
    malformed = state.runtime.malformed_rows
    for chunk in state.report.rows(q.refresh, q.period, start, stop, with_counts=q.v2):
        for row in chunk:
            if start < malformed:
                row = UsageRow(**{**row.__dict__, "malformed": True})
            start += 1
            yield row


def csv_response(state: SandboxState, q: ReportQuery, concealed: bool) -> Response:
    bom = "\ufeff" if state.settings.csv_bom else ""

    def body() -> Iterator[bytes]:
        yield (bom + csv_header(q.v2)).encode()
        batch: list[UsageRow] = []
        for row in _rows(state, q, 0, None):
            batch.append(row)
            if len(batch) == 2048:
                yield csv_rows(batch, concealed=concealed, v2=q.v2).encode()
                batch = []
        yield csv_rows(batch, concealed=concealed, v2=q.v2).encode()

    return StreamingResponse(body(), media_type=CSV_TYPE)


def _token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _untoken(token: str) -> dict[str, Any]:
    padded = token + "=" * (-len(token) % 4)
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return data


def json_page(
    request: Request, state: SandboxState, q: ReportQuery, legacy: bool, concealed: bool
) -> Response:
    skip = request.query_params.get("$skiptoken")
    offset = 0
    if skip:
        try:
            cursor = _untoken(skip)
            offset, q.refresh = int(cursor["o"]), dt.date.fromisoformat(cursor["r"])
        except (ValueError, KeyError, TypeError):
            return graph_error(400, "Invalid skip token.")
    top = request.query_params.get("$top")
    size = int(top) if top and top.isdigit() else state.runtime.page_size
    stop = offset + size
    rows = [
        json_row(r, concealed=concealed, legacy=legacy, v2=q.v2)
        for r in _rows(state, q, offset, stop)
    ]
    body: dict[str, Any] = {}
    if legacy:
        body["@odata.context"] = (
            f"https://graph.microsoft.com/beta/reports/{USER_DETAIL}(period='{q.period}')"
            "?$format=application/json"
        )
    body["value"] = rows
    if stop < state.report.count(q.refresh):
        params = {k: v for k, v in request.query_params.items() if k != "$skiptoken"}
        params["$skiptoken"] = _token({"o": stop, "r": q.refresh.isoformat()})
        query = "&".join(f"{k}={quote(v, safe='/:(),=')}" for k, v in params.items())
        body["@odata.nextLink"] = f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"
    return FastJSONResponse(body)


def _download_key(state: SandboxState) -> str:
    return hashlib.sha256(f"{state.settings.client_secret}:download".encode()).hexdigest()


def download_url(request: Request, state: SandboxState, q: ReportQuery, concealed: bool) -> str:
    claims = {
        "p": q.period,
        "v2": q.v2,
        "r": q.refresh.isoformat(),
        "c": concealed,
        "exp": int(time.time()) + state.settings.download_lifetime_seconds,
    }
    token = jwt.encode(claims, _download_key(state), algorithm="HS256")
    return f"{str(request.base_url).rstrip('/')}/data/download/{token}"


def user_detail(request: Request, segment: str, flavour: str) -> Response:
    """Dispatch one usage report request; ``flavour`` is v1, beta or legacy."""
    state = sandbox(request)
    require(request, "Reports.Read.All")
    q = parse_call(segment, state.data_date)
    if isinstance(q, Response):
        return q
    concealed = state.runtime.concealed_names
    if q.function == SUMMARY:
        return FastJSONResponse(summary(state, q.refresh, q.period))
    if q.function == TREND:
        return FastJSONResponse(trend(state, q.refresh, q.period))
    wanted = request.query_params.get("$format", "")
    as_json = "json" in wanted or (flavour == "beta" and "csv" not in wanted)
    if as_json:
        return json_page(request, state, q, flavour == "legacy", concealed)
    if flavour == "legacy" or state.runtime.report_redirect:
        return RedirectResponse(download_url(request, state, q, concealed), status_code=302)
    return csv_response(state, q, concealed)


@router.get("/v1.0/copilot/reports/{segment}")
async def v1_report(segment: str, request: Request) -> Response:
    """v1.0 Copilot reports: CSV (or a 302 to a download URL when configured)."""
    return user_detail(request, segment, "v1")


@router.get("/beta/copilot/reports/{segment}")
async def beta_report(segment: str, request: Request) -> Response:
    """beta Copilot reports: JSON with ``@odata.nextLink`` paging."""
    return user_detail(request, segment, "beta")


@router.get("/beta/reports/{segment}")
@router.get("/v1.0/reports/{segment}")
async def legacy_report(segment: str, request: Request) -> Response:
    """The older reports path: JSON with nulls and @odata.context, or a 302 for CSV."""
    return user_detail(request, segment, "legacy")


@router.get("/data/download/{token}")
async def download(token: str, request: Request) -> Response:
    """The short-lived report download URL; it carries its own authorisation."""
    state = sandbox(request)
    try:
        claims = jwt.decode(token, _download_key(state), algorithms=["HS256"])
    except jwt.PyJWTError:
        return Response("The download link has expired.", status_code=403)
    q = ReportQuery(
        USER_DETAIL, claims["p"], bool(claims["v2"]), dt.date.fromisoformat(claims["r"])
    )
    return csv_response(state, q, bool(claims["c"]))


SETTINGS_READ = "ReportSettings.Read.All"
SETTINGS_WRITE = "ReportSettings.ReadWrite.All"


def report_settings_body(state: SandboxState) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.adminReportSettings",
        "displayConcealedNames": state.runtime.concealed_names,
    }


@router.get("/v1.0/admin/reportSettings")
@router.get("/beta/admin/reportSettings")
async def report_settings(request: Request) -> Response:
    """Whether reports conceal user names (shape as in Microsoft's example)."""
    claims = authenticated(request)
    if SETTINGS_WRITE not in claims.get("roles", []):
        require(request, SETTINGS_READ)
    return FastJSONResponse({"value": report_settings_body(sandbox(request))})


@router.patch("/v1.0/admin/reportSettings")
@router.patch("/beta/admin/reportSettings")
async def change_report_settings(request: Request) -> Response:
    """Set ``displayConcealedNames`` (ReportSettings.ReadWrite.All); 204 as Graph answers."""
    require(request, SETTINGS_WRITE)
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        body = None
    value = body.get("displayConcealedNames") if isinstance(body, dict) else None
    if not isinstance(value, bool):
        return graph_error(
            400,
            "The request body must set displayConcealedNames to true or false.",
            code="BadRequest",
        )
    sandbox(request).runtime.concealed_names = value
    return Response(status_code=204)
