"""Challenges of the rule set in force: active, upcoming and past, with standings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from services.api.boards import BoardQuery, read_board
from services.api.deps import BoardContextDep
from services.api.i18n import Lang, LangQuery
from services.api.localized import challenge_in_words
from services.api.published import ChallengeInfo
from services.api.routers.screen_data import CHALLENGE_SCOPES
from services.api.schemas import ChallengeStandings, ChallengeView, errors
from shared.periods import Window

router = APIRouter(prefix="/api/challenges", tags=["challenges"], responses=errors(401))


def view(challenge: ChallengeInfo, context: BoardContextDep, lang: Lang) -> ChallengeView:
    return ChallengeView(
        id=challenge.id,
        title=challenge.title.in_language(lang),
        titles=challenge.title.every(),
        scope=challenge.scope,
        metric=challenge.metric,
        status=challenge.status(context.today),
        start=challenge.start,
        end=challenge.end,
        decided_on=challenge.decided_on(),
        winners=challenge.winners,
        rules_in_words=challenge_in_words(challenge, lang),
    )


@router.get("", response_model=list[ChallengeView])
async def list_challenges(context: BoardContextDep, lang: LangQuery = None) -> list[ChallengeView]:
    """Every challenge of the rule set in force, newest first, with its rules in plain words."""
    rules = await context.resources.published.rules()
    ordered = sorted(rules.challenges, key=lambda c: c.start, reverse=True)
    language = lang or context.resources.settings.api_default_lang
    return [view(c, context, language) for c in ordered]


@router.get("/{challenge_id}", response_model=ChallengeStandings, responses=errors(404))
async def challenge_standings(
    challenge_id: Annotated[str, Path(max_length=64)],
    context: BoardContextDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    lang: LangQuery = None,
) -> ChallengeStandings:
    """One challenge with its standings (groups per capita, small groups hidden)."""
    rules = await context.resources.published.rules()
    found = next((c for c in rules.challenges if c.id == challenge_id), None)
    if found is None:
        raise HTTPException(404, f"no challenge '{challenge_id}' in the rule set in force")
    resources = context.resources
    board = await read_board(
        resources.redis,
        await resources.directory.snapshot(),
        BoardQuery(CHALLENGE_SCOPES[found.scope], Window.CHALLENGE, found.id, limit),
        resources.settings.min_group_size,
    )
    language = lang or resources.settings.api_default_lang
    return ChallengeStandings(**view(found, context, language).model_dump(), board=board)
