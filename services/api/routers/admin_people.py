"""Admin: GDPR export and erasure of one person's data (through services.scoring.privacy).

The gateway erases SQL and the boards and lists the person on the suppression list;
scoring, whose NATS user may rewrite the streams, takes their messages out of them
when it is next idle (``streams_pending`` says so).
"""

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
        max_length=320,
        pattern=r"^[A-Za-z0-9@._'!#^~+-]+$",
        description="A pseudonym (p-...), an Entra object id or a userPrincipalName",
    ),
]


class PersonExport(BaseModel):
    pseudonym: str
    exported_at: str
    person: list[dict[str, Any]] = Field(default_factory=list)
    signals: list[dict[str, Any]] = Field(default_factory=list)
    ledger: list[dict[str, Any]] = Field(default_factory=list)
    recognition: list[dict[str, Any]] = Field(default_factory=list)
    recognition_grants: list[dict[str, Any]] = Field(default_factory=list)
    champion: list[dict[str, Any]] = Field(default_factory=list)
    champion_events: list[dict[str, Any]] = Field(default_factory=list)
    champion_checkins: list[dict[str, Any]] = Field(default_factory=list)
    champion_checkin_failures: list[dict[str, Any]] = Field(default_factory=list)
    champion_tips: list[dict[str, Any]] = Field(default_factory=list)
    activities: list[dict[str, Any]] = Field(default_factory=list)
    kudos_given: list[dict[str, Any]] = Field(default_factory=list)
    kudos_received: list[dict[str, Any]] = Field(default_factory=list)
    stories: list[dict[str, Any]] = Field(default_factory=list)
    use_case_tries: list[dict[str, Any]] = Field(default_factory=list)
    claims: list[dict[str, Any]] = Field(default_factory=list)
    claim_guesses: list[dict[str, Any]] = Field(default_factory=list)
    directory_origin: list[dict[str, Any]] = Field(default_factory=list)
    team_mapping: list[dict[str, Any]] = Field(default_factory=list)
    notify_awards: list[dict[str, Any]] = Field(default_factory=list)
    notify_outbox: list[dict[str, Any]] = Field(default_factory=list)
    ingest_directory: list[dict[str, Any]] = Field(default_factory=list)
    ingest_cursors: list[dict[str, Any]] = Field(default_factory=list)
    ingest_unattributed: list[dict[str, Any]] = Field(default_factory=list)
    ingest_usage_facts: list[dict[str, Any]] = Field(default_factory=list)
    unattributed: list[dict[str, Any]] = Field(default_factory=list)
    notify_award_titles: list[dict[str, Any]] = Field(default_factory=list)
    boards: list[dict[str, Any]] = Field(default_factory=list)
    suppressed: list[dict[str, Any]] = Field(
        default_factory=list, description="The suppression list's entries: erased, kept erased"
    )


class Erasure(BaseModel):
    pseudonym: str
    erased: dict[str, int] = Field(description="Rows (or boards) removed per place")
    streams_pending: bool = Field(
        description="Scoring has yet to take their messages out of the streams (it does "
        "when next idle)"
    )


def _key(resources: Resources) -> str:
    return resources.settings.pseudonym_key.get_secret_value()


@router.get("/{person}/export", response_model=PersonExport)
async def export_person(person: PersonPath, resources: ResourcesDep, admin: AdminDep) -> Any:
    """Everything Uptake holds about one person, as JSON (the export is audited)."""
    by = admin.label or "admin"
    return await privacy.export(
        resources.engine, resources.redis, person, key=_key(resources), by=by
    )


@router.delete("/{person}", response_model=Erasure)
async def erase_person(person: PersonPath, resources: ResourcesDep, admin: AdminDep) -> Erasure:
    """Erase one person everywhere and keep them erased; idempotent, audited without
    personal data."""
    by = admin.label or "admin"
    erased = await privacy.erase(resources.engine, resources.redis, person, _key(resources), by)
    await resources.guard.sessions.end_person(erased.person)  # signed out everywhere
    # This gateway's caches forget them now; other replicas' within their few seconds.
    resources.directory.invalidate()
    resources.forget_boards()
    resources.insights.clear()
    return Erasure(
        pseudonym=erased.person, erased=erased.counts, streams_pending=erased.streams_pending
    )
