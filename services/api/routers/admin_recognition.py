"""Admin: points granted outside Copilot usage (list, report as CSV, revoke).

Grants come from champion events, approved activities and stories, kudos, claim codes
and confirmed use cases (:mod:`services.api.recognition`). An admin lists them by
person, kind and days, downloads the same list as CSV for the champion programme's
reports, and revokes one with a reason: scoring then takes its points back.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.api import recognition
from services.api.deps import AdminDep, ResourcesDep
from services.api.recognition import RecognitionGrant
from services.api.schemas import errors
from services.api.text import OneLine
from services.scoring.privacy_subject import resolve
from shared.events import RecognitionKind
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(
    prefix="/api/admin/recognition", tags=["admin"], responses=errors(400, 401, 403, 413)
)

PAGE = 200
MAX_PAGE = 1000
MAX_REPORT = 50_000
CSV_COLUMNS = (
    "grant",
    "person",
    "kind",
    "points",
    "day",
    "title",
    "granted_by",
    "granted_at",
    "revoked_at",
    "revoked_by",
    "revoke_reason",
)

GrantPath = Annotated[
    str,
    Path(min_length=1, max_length=200, pattern=r"^[^/\x00-\x1f\x7f]+$", description="Grant id"),
]
PersonQuery = Annotated[
    str | None,
    Query(
        pattern=r"^(p-[0-9a-f]{24}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
        r"[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$",
        description="A pseudonym (p-...) or an Entra object id",
    ),
]


class GrantView(BaseModel):
    grant: str
    person: str = Field(description="Pseudonymous id")
    kind: RecognitionKind
    points: int
    day: date
    title: str
    granted_by: str | None
    granted_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None


class RevokeRequest(BaseModel):
    reason: OneLine = Field(min_length=1, max_length=500, description="Why, kept with the grant")


def view(row: RecognitionGrant) -> GrantView:
    return GrantView(
        grant=row.grant_id,
        person=row.person,
        kind=RecognitionKind(row.kind),
        points=row.points,
        day=row.day,
        title=row.title,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
        revoke_reason=row.revoke_reason,
    )


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report(views: list[GrantView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in views:
        fields = item.model_dump()
        writer.writerow([_cell(fields[name]) for name in CSV_COLUMNS])
    return out.getvalue()


@router.get(
    "",
    response_model=list[GrantView],
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)
async def list_grants(
    resources: ResourcesDep,
    _: AdminDep,
    person: PersonQuery = None,
    kind: RecognitionKind | None = None,
    start: Annotated[date | None, Query(alias="from", description="First day")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day")] = None,
    format: Literal["json", "csv"] = "json",
    limit: Annotated[int | None, Query(ge=1, le=MAX_REPORT)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[GrantView] | Response:
    """Grants of points outside Copilot usage, newest day first; ``format=csv`` for a
    report (up to 50,000 rows)."""
    if start is not None and end is not None and end < start:
        raise HTTPException(400, "'to' must not be before 'from'")
    if format == "json" and limit is not None and limit > MAX_PAGE:
        raise HTTPException(400, f"limit is at most {MAX_PAGE} (use format=csv for more)")
    who = None
    if person is not None:
        who = resolve(person, resources.settings.pseudonym_key.get_secret_value())
    async with AsyncSession(resources.engine) as session:
        rows = await recognition.listing(
            session,
            person=who,
            kind=kind,
            start=start,
            end=end,
            limit=limit or (MAX_REPORT if format == "csv" else PAGE),
            offset=offset,
        )
    views = [view(row) for row in rows]
    if format == "csv":
        return Response(
            report(views),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="recognition.csv"'},
        )
    return views


@router.post("/{grant}/revoke", response_model=GrantView, responses=errors(404))
async def revoke_grant(
    grant: GrantPath, body: RevokeRequest, resources: ResourcesDep, admin: AdminDep
) -> GrantView:
    """Revoke a grant: its points are taken back everywhere. Revoking it again changes
    nothing (the first reason stays)."""
    engine = resources.engine
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        revoked = await recognition.revoke(
            session, grant=grant, reason=body.reason, revoked_by=admin.person or admin.label
        )
        if revoked is None:
            raise HTTPException(404, "no grant with this id")
        row = await recognition.find(session, grant)
        assert row is not None
    log.info("recognition revoked", grant=grant, person=row.person)
    return view(row)
