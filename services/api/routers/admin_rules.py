"""Admin: rule sets through scoring's rule administration (validate, preview, publish)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from services.api.deps import AdminDep, ResourcesDep
from services.api.resources import Resources
from services.api.schemas import errors
from services.api.text import Document, OneLine
from services.scoring import admin as rules_admin
from services.scoring.domain.rules import Problem
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/api/admin/rules", tags=["admin"], responses=errors(400, 401, 403, 413))

MAX_SOURCE = 60_000


class RulesSource(BaseModel):
    source: Document = Field(min_length=1, max_length=MAX_SOURCE, description="YAML or JSON")


class PublishRequest(RulesSource):
    note: OneLine | None = Field(default=None, max_length=500)


class RollbackRequest(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)


class ProblemView(BaseModel):
    path: str
    message: str


class ValidationView(BaseModel):
    ok: bool
    problems: list[ProblemView]
    warnings: list[ProblemView] = Field(
        default=[], description="Texts missing in a language: shown in the rule set's language"
    )


class PersonChangeView(BaseModel):
    person: str = Field(description="Pseudonymous id")
    points_before: int
    points_after: int
    rank_before: int | None
    rank_after: int | None
    badges_gained: list[str]
    badges_lost: list[str]


class PreviewView(BaseModel):
    based_on: int | None
    people: int
    gainers: int
    losers: int
    points_before: int
    points_after: int
    badges_gained: int
    badges_lost: int
    changes: list[PersonChangeView]
    warnings: list[ProblemView] = Field(
        default=[], description="Texts missing in a language: shown in the rule set's language"
    )


class VersionView(BaseModel):
    version: int
    name: str
    created_at: datetime
    created_by: str | None
    published_at: datetime | None
    published_by: str | None
    note: str | None
    active: bool
    source: str


class Published(BaseModel):
    version: int


def _invalid(problems: list[Problem]) -> HTTPException:
    return HTTPException(
        422,
        [{"loc": ["body", "source", p.path], "msg": p.message, "type": "rules"} for p in problems],
    )


def _jetstream(resources: Resources) -> object | None:
    client = resources.bus.client
    return client.jetstream() if client is not None and client.is_connected else None


@router.get("", response_model=VersionView, responses=errors(404))
async def current_rules(resources: ResourcesDep, _: AdminDep) -> VersionView:
    """The rule set in force, with its source as the admin wrote it."""
    for version in await rules_admin.history(resources.engine):
        if version.active:
            return VersionView(**asdict(version))
    raise HTTPException(404, "no rule set is published yet")


@router.get("/history", response_model=list[VersionView])
async def rules_history(resources: ResourcesDep, _: AdminDep) -> list[VersionView]:
    """Every stored rule-set version, newest first."""
    return [VersionView(**asdict(v)) for v in await rules_admin.history(resources.engine)]


@router.post("/validate", response_model=ValidationView)
async def validate_rules(body: RulesSource, _: AdminDep) -> ValidationView:
    """Check a draft; problems come with the path of what is wrong, warnings with the
    path of a text missing in a language (not an error: the rule set's language stands in)."""
    result = rules_admin.validate(body.source)
    return ValidationView(
        ok=result.ok,
        problems=[ProblemView(path=p.path, message=p.message) for p in result.problems],
        warnings=[ProblemView(path=p.path, message=p.message) for p in result.warnings],
    )


@router.post(
    "/preview", response_model=PreviewView, responses={422: {"description": "Invalid rules"}}
)
async def preview_rules(body: RulesSource, resources: ResourcesDep, _: AdminDep) -> PreviewView:
    """Replay the stored signals under a draft: who gains and who loses (and the warnings)."""
    settings = resources.settings
    try:
        async with resources.replays:
            preview = await rules_admin.preview(
                resources.engine,
                body.source,
                settings.tz,
                max_signals=settings.api_replay_max_signals,
            )
    except rules_admin.RuleSetError as exc:
        raise _invalid(exc.problems) from exc
    return PreviewView.model_validate(asdict(preview))


@router.post(
    "",
    response_model=Published,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "Invalid rules"}},
)
async def publish_rules(
    body: PublishRequest, resources: ResourcesDep, admin: AdminDep
) -> Published:
    """Publish a rule set: stored, replayed into the ledger and put in force at once."""
    try:
        async with resources.replays:
            version = await rules_admin.publish(
                resources.engine,
                _jetstream(resources),  # type: ignore[arg-type]
                body.source,
                resources.settings.tz,
                by=admin.label or None,
                note=body.note,
                max_signals=resources.settings.api_replay_max_signals,
            )
    except rules_admin.RuleSetError as exc:
        raise _invalid(exc.problems) from exc
    resources.published.invalidate()
    log.info("rules published", version=version)
    return Published(version=version)


@router.post(
    "/rollback",
    response_model=Published,
    status_code=status.HTTP_201_CREATED,
    responses=errors(404),
)
async def rollback_rules(
    body: RollbackRequest, resources: ResourcesDep, admin: AdminDep
) -> Published:
    """Put an earlier version back in force, as a new version."""
    try:
        async with resources.replays:
            version = await rules_admin.rollback(
                resources.engine,
                _jetstream(resources),  # type: ignore[arg-type]
                body.version,
                resources.settings.tz,
                by=admin.label or None,
                max_signals=resources.settings.api_replay_max_signals,
            )
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    resources.published.invalidate()
    return Published(version=version)
