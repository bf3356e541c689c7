"""Claim codes: admins make and download batches; a person redeems a code for points."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Path, Response, status
from pydantic import AwareDatetime, BaseModel, Field, field_validator
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community import claims
from services.api.community.claims import MAX_CODES, ClaimBatch
from services.api.community.refusals import Refused
from services.api.community.responses import answers, retried
from services.api.community.transactions import write
from services.api.deps import AdminDep, EmployeeDep, ResourcesDep
from services.api.resources import Resources
from services.api.text import OneLine
from shared.periods import local_date

router = APIRouter(tags=["community"], responses=answers(400, 401, 403, 413))

BatchPath = Annotated[UUID, Path(description="The batch's id")]


class BatchCreate(BaseModel):
    id: UUID = Field(description="Chosen by the client; a retry with the same id is the same")
    title: OneLine = Field(min_length=1, max_length=200, description="What the codes are for")
    points: int = Field(ge=0, le=10_000)
    count: int = Field(ge=1, le=MAX_CODES)
    expires_at: AwareDatetime

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime) -> datetime:
        if value <= datetime.now(UTC):
            raise ValueError("must lie in the future")
        return value


class BatchPublic(BaseModel):
    id: str
    title: str
    points: int
    count: int
    redeemed: int
    expires_at: datetime
    created_at: datetime
    download: str = Field(description="Where an admin downloads the codes (CSV)")


class BatchMade(BatchPublic):
    codes: list[str] = Field(description="The codes, also in the CSV download")


class ClaimRequest(BaseModel):
    code: OneLine = Field(min_length=4, max_length=40)


class Claimed(BaseModel):
    title: str
    points: int
    redeemed_at: datetime


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def public(row: ClaimBatch, redeemed: int) -> BatchPublic:
    return BatchPublic(
        id=row.id,
        title=row.title,
        points=row.points,
        count=row.count,
        redeemed=redeemed,
        expires_at=_utc(row.expires_at),
        created_at=_utc(row.created_at),
        download=f"/api/admin/claim-codes/{row.id}/codes.csv",
    )


def _key(resources: Resources) -> str:
    return resources.settings.pseudonym_key.get_secret_value()


@router.post(
    "/api/admin/claim-codes",
    response_model=BatchMade,
    status_code=status.HTTP_201_CREATED,
    responses=answers(400, 409, 413) | retried(BatchMade),
    tags=["admin"],
)
async def make_claim_codes(
    body: BatchCreate, response: Response, resources: ResourcesDep, admin: AdminDep
) -> BatchMade:
    """Make a batch of single-use codes that expire; each grants its points once."""
    key = _key(resources)

    async def work(session: AsyncSession) -> tuple[ClaimBatch, bool]:
        return await claims.create_batch(
            session,
            batch_id=str(body.id),
            title=body.title.strip(),
            points=body.points,
            count=body.count,
            expires_at=body.expires_at,
            created_by=admin.person or admin.label,
            key=key,
        )

    try:
        row, created = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    if not created:
        response.status_code = status.HTTP_200_OK
    async with AsyncSession(resources.engine) as session:
        codes = await claims.codes_of(session, row, key)
    redeemed = sum(1 for _, used in codes if used)
    return BatchMade(**public(row, redeemed).model_dump(), codes=[code for code, _ in codes])


@router.get("/api/admin/claim-codes", response_model=list[BatchPublic], tags=["admin"])
async def list_claim_codes(resources: ResourcesDep, _: AdminDep) -> list[BatchPublic]:
    """Every batch, newest first, with how many codes were redeemed."""
    async with AsyncSession(resources.engine) as session:
        return [public(row, redeemed) for row, redeemed in await claims.batches(session)]


@router.get(
    "/api/admin/claim-codes/{batch_id}/codes.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **answers(404)},
    tags=["admin"],
)
async def download_claim_codes(
    batch_id: BatchPath, resources: ResourcesDep, _: AdminDep
) -> Response:
    """The batch's codes as CSV: code, redeemed (yes/no), title, points, expires_at."""
    async with AsyncSession(resources.engine) as session:
        row = await session.get(ClaimBatch, str(batch_id))
        if row is None:
            raise HTTPException(404, "no batch with this id")
        codes = await claims.codes_of(session, row, _key(resources))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "redeemed", "title", "points", "expires_at"])
    expires = _utc(row.expires_at).isoformat()
    for code, used in codes:
        writer.writerow([code, "yes" if used else "no", row.title, row.points, expires])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="claim-codes-{row.id}.csv"'},
    )


@router.post("/api/claims", response_model=Claimed, responses=answers(404, 409, 410, 413, 429))
async def redeem_claim_code(
    body: ClaimRequest, resources: ResourcesDep, me: EmployeeDep
) -> Claimed:
    """Redeem a code (a training quiz, a challenge): its points, once per person and batch."""
    assert me.person is not None
    person = me.person
    now = datetime.now(UTC)
    settings = resources.settings

    async def work(session: AsyncSession) -> Claimed:
        batch, code = await claims.redeem(
            session,
            person=person,
            code=body.code,
            key=_key(resources),
            now=now,
            today=local_date(now, settings.tz),
            guesses_per_hour=settings.api_claim_guesses_per_hour,
        )
        return Claimed(
            title=batch.title, points=batch.points, redeemed_at=_utc(code.redeemed_at or now)
        )

    async def count_guess(session: AsyncSession) -> None:
        await claims.count_guess(session, person, now)

    try:
        return await write(resources.engine, work)
    except claims.Guess as guess:
        await write(resources.engine, count_guess)
        raise guess.http() from None
    except Refused as refused:
        raise refused.http() from None
