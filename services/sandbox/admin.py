"""The sandbox's own control endpoints: state, clock, faults, runtime options."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from services.sandbox.faults import FaultSpec
from services.sandbox.graphauth import sandbox
from services.sandbox.organisation import summary
from services.sandbox.signin import user_token

router = APIRouter(prefix="/sandbox", tags=["sandbox control"])


class ClockChange(BaseModel):
    advance_days: int | None = Field(default=None, ge=0)
    data_date: dt.date | None = None


class RuntimeChange(BaseModel):
    concealed_names: bool | None = None
    report_redirect: bool | None = None
    page_size: int | None = Field(default=None, ge=1)
    delta_page_size: int | None = Field(default=None, ge=1)
    malformed_rows: int | None = Field(default=None, ge=0)


class UserTokenRequest(BaseModel):
    upn: str | None = None
    index: int | None = None
    roles: list[str] | None = None
    scope: str = "api://uptake/.default"


@router.get("/state")
def state(request: Request) -> dict[str, Any]:
    """Runtime options, data date, faults and identifiers of this tenant."""
    s = sandbox(request)
    return {
        "tenant_id": s.settings.tenant_id,
        "client_id": s.settings.client_id,
        "people": len(s.org.people),
        "seed": s.settings.seed,
        "history_start": s.org.history_start.isoformat(),
        "report_refresh_date": s.data_date.isoformat(),
        **{
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in dataclasses.asdict(s.runtime).items()
        },
        "faults": [f.describe() for f in s.faults.faults],
    }


@router.post("/clock")
def move_clock(change: ClockChange, request: Request) -> dict[str, Any]:
    """Move the data date forward (late data, revalidation, directory changes)."""
    s = sandbox(request)
    target = change.data_date or s.data_date + dt.timedelta(days=change.advance_days or 0)
    if target < s.data_date:
        raise HTTPException(400, "The clock only moves forward.")
    s.runtime.data_date = target
    return state(request)


@router.post("/config")
def configure(change: RuntimeChange, request: Request) -> dict[str, Any]:
    """Change runtime options (concealed names, redirect, page sizes, malformed rows)."""
    s = sandbox(request)
    for key, value in change.model_dump(exclude_none=True).items():
        setattr(s.runtime, key, value)
    return state(request)


@router.post("/faults", status_code=201)
def add_fault(spec: FaultSpec, request: Request) -> dict[str, Any]:
    """Inject a fault on requests whose path?query matches ``pattern``."""
    return sandbox(request).faults.add(spec).describe()


@router.get("/faults")
def list_faults(request: Request) -> list[dict[str, Any]]:
    return [f.describe() for f in sandbox(request).faults.faults]


@router.delete("/faults", status_code=204)
def clear_faults(request: Request) -> None:
    sandbox(request).faults.clear()


@router.get("/requests")
def requests_seen(request: Request) -> list[dict[str, Any]]:
    """Recent non-control requests: method, path, query, status, Authorization sent."""
    return list(sandbox(request).faults.log)


@router.delete("/requests", status_code=204)
def clear_requests(request: Request) -> None:
    sandbox(request).faults.log.clear()


@router.get("/organisation")
def organisation(request: Request) -> dict[str, Any]:
    """Head counts per department and team on the data date."""
    s = sandbox(request)
    return summary(s.org, s.data_date)


@router.get("/people")
def people(request: Request, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """People with their real and concealed names and demo roles (for sign-in and tests)."""
    s = sandbox(request)
    out = []
    for p in s.org.people[offset : offset + limit]:
        placement = p.placement_on(s.data_date)
        out.append(
            {
                "index": p.index,
                "id": p.id,
                "userPrincipalName": p.user_principal_name,
                "displayName": p.display_name,
                "department": placement.department,
                "team": placement.team,
                "jobTitle": placement.job_title,
                "officeLocation": p.office_location,
                "licensed": p.licensed,
                "present": p.present_on(s.data_date),
                "concealedUserPrincipalName": p.concealed_upn,
                "concealedDisplayName": p.concealed_name,
                "roles": s.roles_of(p),
            }
        )
    return out


@router.post("/tokens/user")
async def issue_user_token(body: UserTokenRequest, request: Request) -> Any:
    """A user access token without a password round trip (tests and the demo)."""
    s = sandbox(request)
    person = s.person_by_upn(body.upn) if body.upn else None
    if person is None and body.index is not None and 0 <= body.index < len(s.org.people):
        person = s.org.people[body.index]
    if person is None:
        raise HTTPException(404, "No such person.")
    issuer = f"{str(request.base_url).rstrip('/')}/{s.settings.tenant_id}/v2.0"
    return user_token(s, person, body.scope, s.settings.client_id, issuer, body.roles)


@router.get("/devicelogin")
def device_login() -> dict[str, str]:
    return {"message": "Device codes are approved automatically in the sandbox tenant."}
