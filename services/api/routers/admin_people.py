"""Admin: GDPR export and erasure of one person's data (through services.scoring.privacy)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.api.deps import AdminDep, ResourcesDep
from services.api.resources import Resources
from services.api.schemas import errors
from services.scoring import privacy

router = APIRouter(prefix="/api/admin/people", tags=["admin"], responses=errors(400, 401, 403))

PersonPath = Annotated[
    str,
    Path(
        min_length=3,
        max_length=64,
        pattern=r"^[A-Za-z0-9-]+$",
        description="A pseudonym (p-...) or an Entra object id",
    ),
]


class PersonExport(BaseModel):
    pseudonym: str
    exported_at: str
    person: list[dict[str, Any]] = Field(default_factory=list)
    signals: list[dict[str, Any]] = Field(default_factory=list)
    ledger: list[dict[str, Any]] = Field(default_factory=list)
    directory_origin: list[dict[str, Any]] = Field(default_factory=list)
    team_mapping: list[dict[str, Any]] = Field(default_factory=list)
    notify_awards: list[dict[str, Any]] = Field(default_factory=list)
    notify_outbox: list[dict[str, Any]] = Field(default_factory=list)
    ingest_directory: list[dict[str, Any]] = Field(default_factory=list)
    ingest_cursors: list[dict[str, Any]] = Field(default_factory=list)
    boards: list[dict[str, Any]] = Field(default_factory=list)


class Erasure(BaseModel):
    pseudonym: str
    erased: dict[str, int] = Field(description="Rows (or boards) removed per place")


def _who(resources: Resources, person: str) -> tuple[str, str]:
    key = resources.settings.pseudonym_key.get_secret_value()
    return privacy.resolve(person, key), key


@router.get("/{person}/export", response_model=PersonExport)
async def export_person(person: PersonPath, resources: ResourcesDep, admin: AdminDep) -> Any:
    """Everything Uptake holds about one person, as JSON (the export is audited)."""
    pseudonym, key = _who(resources, person)
    by = admin.label or "admin"
    return await privacy.export(resources.engine, resources.redis, pseudonym, key, by)


@router.delete("/{person}", response_model=Erasure)
async def erase_person(person: PersonPath, resources: ResourcesDep, admin: AdminDep) -> Erasure:
    """Erase one person from every table and board; idempotent, audited without personal data."""
    pseudonym, key = _who(resources, person)
    by = admin.label or "admin"
    counts = await privacy.erase(resources.engine, resources.redis, pseudonym, key, by)
    return Erasure(pseudonym=pseudonym, erased=counts)
