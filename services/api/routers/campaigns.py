"""Campaigns and their effect: ``/api/insights/campaigns`` and the ``/insights/campaigns`` page.

An admin, or a champion for their departments, records an intervention (a training, a
champion event, a challenge, a newsletter) with its start and target departments. Its
effect is the target departments' weekly active rate before and after, against the other
departments over the same weeks (:mod:`services.api.campaigns.effect`), in words.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns import store
from services.api.campaigns.measure import measure
from services.api.campaigns.schemas import CampaignBody, CampaignPublic, EffectPublic
from services.api.campaigns.store import Reader, ReaderDep
from services.api.campaigns.tables import Campaign
from services.api.campaigns.texts import campaign_texts
from services.api.champions.access import ChampionDep
from services.api.champions.clock import NowDep
from services.api.champions.errors import Refused
from services.api.champions.store import write
from services.api.champions.tables import as_utc
from services.api.community.responses import answers, retried
from services.api.deps import EmployeeDep, ResourcesDep
from services.api.i18n import LangQuery, page_texts
from services.api.routers.screen import templates
from shared.insight_tables import NONE
from shared.periods import local_date
from shared.small_groups import shown

router = APIRouter(tags=["campaigns"], responses=answers(400, 401, 403))

CampaignId = Annotated[UUID, Path(description="The campaign's id")]
BASE = "/api/insights/campaigns"


class Options(BaseModel):
    departments: list[str] = Field(description="Departments I may aim a campaign at")
    may_record: bool


def public(row: Campaign, reader: Reader) -> CampaignPublic:
    return CampaignPublic(
        id=row.id,
        kind=row.kind,
        title=row.title,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        departments=list(row.departments),
        note=row.note,
        created_as=row.created_as,
        created_at=as_utc(row.created_at),
        mine=row.created_by is not None and row.created_by == reader.principal.person,
        may_withdraw=reader.may_withdraw(row),
    )


def _today(resources: ResourcesDep, now: NowDep) -> date:
    return local_date(now, resources.settings.tz)


@router.get(BASE, response_model=list[CampaignPublic])
async def list_campaigns(resources: ResourcesDep, reader: ReaderDep) -> list[CampaignPublic]:
    """Campaigns not withdrawn, latest start first (champions: those for their departments)."""
    async with AsyncSession(resources.engine) as session:
        rows = await store.listed(session, reader)
    return [public(row, reader) for row in rows]


@router.get(f"{BASE}/options", response_model=Options)
async def campaign_options(resources: ResourcesDep, reader: ReaderDep) -> Options:
    """The departments I may record a campaign for: big enough to show, and for a
    champion the ones they champion."""
    snapshot = await resources.directory.snapshot()
    size = resources.settings.min_group_size
    big = sorted(d for d, n in snapshot.department_sizes.items() if d != NONE and shown(n, size))
    allowed = [d for d in big if reader.may_aim_at(d)] if reader.may_record else []
    return Options(departments=allowed, may_record=reader.may_record)


@router.post(
    BASE,
    response_model=CampaignPublic,
    status_code=status.HTTP_201_CREATED,
    responses=answers(409) | retried(CampaignPublic),
)
async def record_campaign(
    body: CampaignBody,
    response: Response,
    resources: ResourcesDep,
    author: ChampionDep,
    now: NowDep,
) -> CampaignPublic:
    """Record a campaign (admins; champions for their departments); 200 when sent again."""
    plan = store.Plan(
        kind=body.kind,
        title=body.title.strip(),
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        departments=tuple(sorted(set(body.departments))),
        note=body.note.strip(),
    )
    snapshot = await resources.directory.snapshot()
    known = {d for d in snapshot.department_sizes if d != NONE}
    today = _today(resources, now)
    try:
        row, created = await write(
            resources.engine,
            lambda s: store.create(s, author, str(body.id), plan, known, today),
        )
    except Refused as exc:
        raise exc.http() from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    reader = Reader(author.principal, author.admin, True, frozenset(author.departments))
    return public(row, reader)


@router.delete(
    f"{BASE}/{{campaign}}", status_code=status.HTTP_204_NO_CONTENT, responses=answers(404)
)
async def withdraw_campaign(
    campaign: CampaignId, resources: ResourcesDep, me: EmployeeDep
) -> Response:
    """Withdraw a campaign (its creator or an admin); again is no change."""
    try:
        await write(resources.engine, lambda s: store.withdraw(s, me, str(campaign)))
    except Refused as exc:
        raise exc.http() from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{BASE}/{{campaign}}/effect", response_model=EffectPublic, responses=answers(404))
async def campaign_effect(
    campaign: CampaignId,
    resources: ResourcesDep,
    reader: ReaderDep,
    now: NowDep,
    lang: LangQuery = None,
) -> EffectPublic:
    """The target departments' change in weekly active rate against the other departments
    (difference in differences, 95% interval), or why it cannot be shown yet."""
    async with AsyncSession(resources.engine) as session:
        try:
            row = await store.readable(session, reader, str(campaign))
        except Refused as exc:
            raise exc.http() from exc
    settings = resources.settings
    language = lang or settings.api_default_lang
    return await measure(
        resources.engine, row, settings.min_group_size, _today(resources, now), language
    )


@router.get("/insights/campaigns", response_class=HTMLResponse, tags=["pages"])
async def campaigns_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Record campaigns and see their effect on the target departments' active rate."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    texts = page_texts(language) | campaign_texts(language, settings.min_group_size)
    return templates.TemplateResponse(
        request,
        "campaigns.html",
        {"lang": language, "t": texts, "texts": json.dumps(texts), "nav": "campaigns"},
    )
