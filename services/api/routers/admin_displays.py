"""Admin: display tokens for office screens (issue, list, revoke)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, Field

from services.api.auth.display import DisplayToken
from services.api.deps import AdminDep, ResourcesDep
from services.api.schemas import errors
from services.api.text import OneLine
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(
    prefix="/api/admin/display-tokens", tags=["admin"], responses=errors(400, 401, 403, 413)
)


class DisplayTokenCreate(BaseModel):
    label: OneLine = Field(min_length=1, max_length=100, description="Where the screen hangs")


class DisplayTokenPublic(BaseModel):
    id: int
    label: str
    created_at: datetime
    created_by: str | None
    revoked_at: datetime | None


class DisplayTokenIssued(DisplayTokenPublic):
    token: str = Field(description="Shown once; put it in the screen URL as ?token=")


def public(row: DisplayToken) -> DisplayTokenPublic:
    return DisplayTokenPublic.model_validate(row, from_attributes=True)


@router.post("", response_model=DisplayTokenIssued, status_code=status.HTTP_201_CREATED)
async def issue_display_token(
    body: DisplayTokenCreate, resources: ResourcesDep, admin: AdminDep
) -> DisplayTokenIssued:
    """Issue a read-only token for one office screen."""
    row, token = await resources.guard.displays.issue(body.label, admin.label or None)
    log.info("display token issued", id=row.id, label=row.label)
    return DisplayTokenIssued(**public(row).model_dump(), token=token)


@router.get("", response_model=list[DisplayTokenPublic])
async def list_display_tokens(resources: ResourcesDep, _: AdminDep) -> list[DisplayTokenPublic]:
    """Every display token ever issued, without the secrets."""
    return [public(row) for row in await resources.guard.displays.list()]


@router.delete("/{token_id}", response_model=DisplayTokenPublic, responses=errors(404))
async def revoke_display_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], resources: ResourcesDep, _: AdminDep
) -> DisplayTokenPublic:
    """Revoke a display token; its screen stops within seconds."""
    row = await resources.guard.displays.revoke(token_id)
    if row is None:
        raise HTTPException(404, f"no display token {token_id}")
    log.info("display token revoked", id=row.id)
    return public(row)
