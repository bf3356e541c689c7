"""The newsletter: preview an issue in nl, en and fr, download it as an email, send it.

All for admins. ``/admin/newsletter`` is the page; the API under
``/api/admin/newsletter``:

- ``GET periods?cadence=weekly`` the recent complete periods, and which were sent;
- ``GET preview?cadence=&period=`` the issue per language: its texts, the Teams card
  and the Viva Engage post exactly as notify will post them;
- ``GET email?cadence=&period=&lang=&download=`` the email's HTML, under a policy of its
  own (inline styles are how email is styled; nothing else may load or run), framed
  only by the gateway's page; ``download=true`` makes it a file;
- ``POST issues`` sends: records the issue and announces ``NewsletterPublished`` in
  one transaction (see :mod:`services.api.newsletter.issues` for retries and resends);
- ``GET issues`` the issues sent so far, the latest first.

Without ``period`` an issue covers the last complete week or month.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.refusals import Refused
from services.api.community.responses import answers, retried
from services.api.community.transactions import write
from services.api.deps import AdminDep, ResourcesDep, TodayDep
from services.api.i18n import LangQuery
from services.api.newsletter import periods
from services.api.newsletter.compose import compose_all
from services.api.newsletter.content import Sources, gather
from services.api.newsletter.email import render_email
from services.api.newsletter.issues import NewsletterIssue, as_utc, latest, send, sent_for
from services.api.newsletter.periods import Cadence, Period, PeriodError
from services.api.newsletter.texts import page_words
from services.api.resources import Resources
from services.api.routers.pages import page
from services.notify.newsletter_cards import card_bytes, engage_post, newsletter_card
from shared.events import NewsletterText
from shared.languages import LANGUAGES, Language
from shared.people import Person

router = APIRouter(tags=["newsletter"])
api = APIRouter(
    prefix="/api/admin/newsletter",
    tags=["newsletter"],
    responses=answers(400, 401, 403, 413, 409),
)

# Email is styled inline; the preview runs no script and loads nothing.
EMAIL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)
RECENT = 12

CadenceQuery = Annotated[Cadence, Query(description="weekly or monthly")]
PeriodQuery = Annotated[
    str | None,
    Query(max_length=16, description="2026-W48 or 2026-11; the last complete one when left out"),
]


class PeriodChoice(BaseModel):
    key: str
    since: date
    until: date
    sent: bool = Field(description="An issue of this period was sent already")


class IssueView(BaseModel):
    id: str
    cadence: Cadence
    period: str
    since: date
    until: date
    sent_by: str | None = Field(description="The sender's name, when the directory has it")
    sent_at: datetime
    post_to_engage: bool


class LanguagePreview(BaseModel):
    text: NewsletterText
    card: dict[str, Any] = Field(description="The Adaptive Card (1.5) the Teams channels get")
    card_bytes: int
    engage: str = Field(description="The Viva Engage post")


class Preview(BaseModel):
    cadence: Cadence
    period: str
    since: date
    until: date
    sent: list[IssueView] = Field(description="Issues of this period sent already")
    languages: dict[Language, LanguagePreview]


class IssueCreate(BaseModel):
    id: UUID = Field(description="Chosen by the client; a retry with the same id is the same")
    cadence: Cadence
    period: str | None = Field(default=None, max_length=16)
    post_to_engage: bool = False
    resend: bool = Field(default=False, description="Confirms a second issue for a period")


def _period(cadence: Cadence, key: str | None, today: date) -> Period:
    try:
        return periods.chosen(cadence, key, today)
    except PeriodError as exc:
        raise HTTPException(
            422, [{"loc": ["query", "period"], "msg": str(exc), "type": "value_error"}]
        ) from exc


async def _worded(
    resources: Resources, period: Period
) -> tuple[dict[str, NewsletterText], list[str]]:
    """The issue in every language, and the people it names."""
    settings = resources.settings
    sources = Sources(
        engine=resources.engine,
        redis=resources.redis,
        snapshot=await resources.directory.snapshot(),
        rules=await resources.published.rules(),
        min_group_size=settings.min_group_size,
    )
    content = await gather(sources, period)
    return compose_all(content, settings.min_group_size), content.named


async def _texts(resources: Resources, period: Period) -> dict[str, NewsletterText]:
    texts, _ = await _worded(resources, period)
    return texts


async def _views(session: AsyncSession, rows: list[NewsletterIssue]) -> list[IssueView]:
    senders = sorted({row.sent_by for row in rows if row.sent_by})
    found = await session.exec(
        select(Person.person, Person.display_name).where(
            col(Person.person).in_(senders), col(Person.removed).is_(False)
        )
    )
    names = {person: name for person, name in found.all() if name}
    return [
        IssueView(
            id=row.id,
            cadence="weekly" if row.cadence == "weekly" else "monthly",
            period=row.period,
            since=row.since,
            until=row.until,
            sent_by=names.get(row.sent_by) if row.sent_by else None,
            sent_at=as_utc(row.sent_at),
            post_to_engage=row.post_to_engage,
        )
        for row in rows
    ]


@router.get("/admin/newsletter", response_class=HTMLResponse, include_in_schema=False)
async def newsletter_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Compose, preview and send the newsletter (the page signs in like the others)."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    return page(request, "newsletter.html", language, settings.min_group_size, page_words(language))


@api.get("/periods", response_model=list[PeriodChoice])
async def recent_periods(
    resources: ResourcesDep, _: AdminDep, today: TodayDep, cadence: CadenceQuery = "weekly"
) -> list[PeriodChoice]:
    """The last complete weeks or months, the latest first, and which were sent."""
    choices = periods.recent(cadence, today, RECENT)
    async with AsyncSession(resources.engine) as session:
        rows = await session.exec(
            select(NewsletterIssue.period).where(NewsletterIssue.cadence == cadence)
        )
        sent = set(rows.all())
    return [
        PeriodChoice(key=p.key, since=p.since, until=p.until, sent=p.key in sent) for p in choices
    ]


@api.get("/preview", response_model=Preview)
async def preview(
    resources: ResourcesDep,
    _: AdminDep,
    today: TodayDep,
    cadence: CadenceQuery = "weekly",
    period: PeriodQuery = None,
) -> Preview:
    """The issue in every language, as the email, the Teams card and the Engage post."""
    chosen = _period(cadence, period, today)
    texts = await _texts(resources, chosen)
    async with AsyncSession(resources.engine) as session:
        sent = await _views(session, await sent_for(session, chosen))
    languages: dict[Language, LanguagePreview] = {}
    for lang in LANGUAGES:
        card = newsletter_card(texts[lang], lang)
        languages[lang] = LanguagePreview(
            text=texts[lang],
            card=card,
            card_bytes=card_bytes(card),
            engage=engage_post(texts[lang]),
        )
    return Preview(
        cadence=cadence,
        period=chosen.key,
        since=chosen.since,
        until=chosen.until,
        sent=sent,
        languages=languages,
    )


@api.get(
    "/email",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "The email, one HTML file"}},
)
async def email(
    resources: ResourcesDep,
    _: AdminDep,
    today: TodayDep,
    cadence: CadenceQuery = "weekly",
    period: PeriodQuery = None,
    lang: LangQuery = None,
    download: Annotated[bool, Query(description="As a file to save")] = False,
) -> HTMLResponse:
    """The issue as an email-ready HTML file (600 px, inline styles, no images)."""
    chosen = _period(cadence, period, today)
    language = lang or resources.settings.api_default_lang
    html = render_email((await _texts(resources, chosen))[language], language)
    headers = {"Content-Security-Policy": EMAIL_POLICY}
    if download:
        name = f"uptake-newsletter-{chosen.key}-{language}.html"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return HTMLResponse(html, headers=headers)


@api.post(
    "/issues",
    response_model=IssueView,
    status_code=status.HTTP_201_CREATED,
    responses=answers(409) | retried(IssueView),
)
async def send_issue(
    body: IssueCreate,
    response: Response,
    resources: ResourcesDep,
    admin: AdminDep,
    today: TodayDep,
) -> IssueView:
    """Send an issue: to the company's Teams channels and, if asked, to Viva Engage.
    A period sent before needs ``resend: true``, else 409."""
    chosen = _period(body.cadence, body.period, today)
    sender = admin.person or admin.label

    async def work(session: AsyncSession) -> tuple[NewsletterIssue, bool]:
        return await send(
            session,
            issue=str(body.id),
            period=chosen,
            post_to_engage=body.post_to_engage,
            resend=body.resend,
            sent_by=sender[:64],
            texts=lambda: _worded(resources, chosen),
        )

    try:
        row, created = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    if not created:
        response.status_code = status.HTTP_200_OK
    async with AsyncSession(resources.engine) as session:
        [view] = await _views(session, [row])
    return view


@api.get("/issues", response_model=list[IssueView])
async def sent_issues(resources: ResourcesDep, _: AdminDep) -> list[IssueView]:
    """The issues sent so far, the latest first (at most 50)."""
    async with AsyncSession(resources.engine) as session:
        return await _views(session, await latest(session))


router.include_router(api)
