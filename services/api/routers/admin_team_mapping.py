"""Admin: team mapping overrides (through services.scoring.mapping).

Scoring applies them as it stores directory facts, so boards, per-capita
divisors and group views all follow; a change re-files the people it touches.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, model_validator

from services.api.deps import AdminDep, ResourcesDep
from services.api.schemas import errors
from services.api.text import OneLine
from services.scoring import mapping, privacy
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(
    prefix="/api/admin/team-mapping", tags=["admin"], responses=errors(400, 401, 403, 413)
)


class OverrideView(BaseModel):
    kind: Literal["person", "team", "department"] = Field(
        description="person: a pseudonym or Entra object id; team/department: the directory's name"
    )
    source: OneLine = Field(min_length=1, max_length=256)
    team: OneLine | None = Field(default=None, min_length=1, max_length=256)
    department: OneLine | None = Field(default=None, min_length=1, max_length=256)

    @model_validator(mode="after")
    def maps_somewhere(self) -> OverrideView:
        if self.team is None and self.department is None:
            raise ValueError("an override needs a team, a department or both")
        return self


class TeamMapping(BaseModel):
    overrides: list[OverrideView] = Field(max_length=5000)


class TeamMappingSaved(TeamMapping):
    refiled: int = Field(description="People whose team or department changed")


@router.get("", response_model=TeamMapping)
async def get_team_mapping(resources: ResourcesDep, _: AdminDep) -> TeamMapping:
    """The overrides in force."""
    found = await mapping.current(resources.engine)
    return TeamMapping(overrides=[OverrideView(**vars(o)) for o in found])


@router.put("", response_model=TeamMappingSaved)
async def put_team_mapping(
    body: TeamMapping, resources: ResourcesDep, admin: AdminDep
) -> TeamMappingSaved:
    """Replace all overrides; the people they move are re-filed on the boards within seconds."""
    key = resources.settings.pseudonym_key.get_secret_value()
    overrides = [
        mapping.Override(
            o.kind,
            privacy.resolve(o.source, key) if o.kind == "person" else o.source,
            o.team,
            o.department,
        )
        for o in body.overrides
    ]
    if len({(o.kind, o.source) for o in overrides}) != len(overrides):
        raise HTTPException(400, "each kind and source may appear once")
    client = resources.bus.client
    if client is None or not client.is_connected:
        raise HTTPException(503, "the message bus is not reachable; nothing was changed")
    refiled = await mapping.replace(
        resources.engine, client.jetstream(), overrides, admin.label or None
    )
    log.info("team mapping replaced", overrides=len(overrides), refiled=refiled)
    saved = [OverrideView(**vars(o)) for o in overrides]
    return TeamMappingSaved(overrides=saved, refiled=refiled)
