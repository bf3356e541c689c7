"""Directory: ``/users/delta`` with paging and delta links, and ``/users/{id}``.

Tokens are stateless: a delta token carries the data date it was issued on, and
a later call returns the joiners, movers and leavers between that date and the
sandbox's current data date.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.sandbox.errors import FastJSONResponse, graph_error
from services.sandbox.graphauth import require, sandbox
from services.sandbox.organisation import Person
from services.sandbox.state import SandboxState

router = APIRouter(tags=["graph directory"])
COPILOT_SKU = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
DEFAULT_SELECT = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
KNOWN = {
    *DEFAULT_SELECT,
    "department",
    "employeeOrgData",
    "companyName",
    "accountEnabled",
    "assignedLicenses",
    "usageLocation",
    "city",
}


def user_object(person: Person, day: dt.date, select: list[str]) -> dict[str, Any]:
    placement = person.placement_on(day)
    values: dict[str, Any] = {
        "id": person.id,
        "displayName": person.display_name,
        "givenName": person.given_name,
        "surname": person.surname,
        "userPrincipalName": person.user_principal_name,
        "mail": person.user_principal_name,
        "jobTitle": placement.job_title,
        "department": placement.department,
        "officeLocation": person.office_location,
        "city": person.office_location,
        "businessPhones": [],
        "mobilePhone": None,
        "preferredLanguage": "nl-BE",
        "usageLocation": "BE",
        "companyName": "Contoso Belgium",
        "accountEnabled": True,
        "employeeOrgData": {"division": placement.team, "costCenter": placement.department},
        "assignedLicenses": (
            [{"disabledPlans": [], "skuId": COPILOT_SKU}] if person.licensed else []
        ),
    }
    return {key: values.get(key) for key in select}


def _encode(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode(token: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return data


def cached_changes(state: SandboxState, since: dt.date | None, until: dt.date) -> list[Person]:
    """Changes between two data dates, kept per tenant while clients page through them."""
    cache = state.delta_cache
    key = (since, until)
    if key not in cache:
        if len(cache) > 16:
            cache.clear()
        cache[key] = changes(state.org.people, since, until)
    return cache[key]


def changes(people: tuple[Person, ...], since: dt.date | None, until: dt.date) -> list[Person]:
    """People to report between two data dates (everyone present when ``since`` is None)."""
    if since is None:
        return [p for p in people if p.present_on(until)]
    out = []
    for p in people:
        was, now = p.present_on(since), p.present_on(until)
        moved = p.move is not None and since < p.move.date <= until
        if was != now or (now and moved):
            out.append(p)
    return out


@router.get("/v1.0/users/delta")
@router.get("/beta/users/delta")
async def users_delta(request: Request) -> Response:
    """Users delta query: pages of users, then a delta link for later changes."""
    state = sandbox(request)
    require(request, "User.Read.All")
    params = request.query_params
    try:
        if token := params.get("$skiptoken"):
            cursor = _decode(token)
        elif token := params.get("$deltatoken"):
            previous = _decode(token)
            cursor = {
                "s": previous["u"],
                "u": state.data_date.isoformat(),
                "o": 0,
                "f": previous["f"],
            }
        else:
            raw = params.get("$select")
            fields = [f.strip() for f in raw.split(",")] if raw else list(DEFAULT_SELECT)
            unknown = [f for f in fields if f not in KNOWN]
            if unknown:
                return graph_error(
                    400,
                    f"Could not find a property named '{unknown[0]}' on "
                    "type 'microsoft.graph.user'.",
                )
            if "id" not in fields:
                fields.append("id")
            cursor = {"s": None, "u": state.data_date.isoformat(), "o": 0, "f": fields}
        since = dt.date.fromisoformat(cursor["s"]) if cursor["s"] else None
        until = dt.date.fromisoformat(cursor["u"])
        offset, fields = int(cursor["o"]), list(cursor["f"])
    except (ValueError, KeyError, TypeError):
        return graph_error(400, "Badly formed token.", code="badRequest")
    everything = cached_changes(state, since, until)
    size = state.runtime.delta_page_size
    page = everything[offset : offset + size]
    base = f"{str(request.base_url).rstrip('/')}{request.url.path}"
    value = []
    for person in page:
        if person.present_on(until):
            value.append(user_object(person, until, fields))
        else:
            value.append({"id": person.id, "@removed": {"reason": person.removal_reason}})
    body: dict[str, Any] = {
        "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users({','.join(fields)})",
    }
    if offset + size < len(everything):
        body["@odata.nextLink"] = f"{base}?$skiptoken={_encode({**cursor, 'o': offset + size})}"
    else:
        body["@odata.deltaLink"] = (
            f"{base}?$deltatoken={_encode({'u': until.isoformat(), 'f': fields})}"
        )
    body["value"] = value
    return FastJSONResponse(body)


@router.get("/v1.0/users/{user_id}")
async def get_user(user_id: str, request: Request) -> Response:
    """One user by id or userPrincipalName."""
    state = sandbox(request)
    require(request, "User.Read.All")
    person = state.org.by_id(user_id) or state.person_by_upn(user_id)
    if person is None or not person.present_on(state.data_date):
        return graph_error(
            404,
            f"Resource '{user_id}' does not exist or one of its queried "
            "reference-property objects are not present.",
            code="Request_ResourceNotFound",
        )
    raw = request.query_params.get("$select")
    fields = [f.strip() for f in raw.split(",")] if raw else list(DEFAULT_SELECT)
    return FastJSONResponse(user_object(person, state.data_date, fields))


def manager_of(state: SandboxState, person: Person) -> Person | None:
    """Team lead, then department head, then person 0: the first present person of each."""
    day = state.data_date
    placement = person.placement_on(day)
    present = [p for p in state.org.people if p.present_on(day)]
    department = [p for p in present if p.placement_on(day).department == placement.department]
    team = [p for p in department if p.placement_on(day).team == placement.team]
    for group in (team, department, present):
        lead = group[0] if group else None
        if lead is not None and lead.index < person.index:
            return lead
    return None


@router.get("/v1.0/users/{user_id}/manager")
async def get_manager(user_id: str, request: Request) -> Response:
    """The user's manager: team lead, department head, then the organisation's head."""
    state = sandbox(request)
    require(request, "User.Read.All")
    person = state.org.by_id(user_id) or state.person_by_upn(user_id)
    manager = manager_of(state, person) if person and person.present_on(state.data_date) else None
    if manager is None:
        return graph_error(
            404,
            "Resource 'manager' does not exist or one of its queried "
            "reference-property objects are not present.",
            code="Request_ResourceNotFound",
        )
    raw = request.query_params.get("$select")
    fields = [f.strip() for f in raw.split(",")] if raw else list(DEFAULT_SELECT)
    body = {"@odata.type": "#microsoft.graph.user", **user_object(manager, state.data_date, fields)}
    return FastJSONResponse(body)
