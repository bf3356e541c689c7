"""Composition root of the gateway: settings, stores, live updates, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.api.community import page as community_page
from services.api.edge import EdgeCache, EdgeCacheMiddleware
from services.api.headers import SecurityHeadersMiddleware
from services.api.limits import BodyLimitMiddleware
from services.api.metrics import ApiMetrics, MetricsMiddleware
from services.api.resources import open_resources
from services.api.routers import (
    activities,
    admin_displays,
    admin_people,
    admin_recognition,
    admin_rules,
    admin_team_mapping,
    asyncapi,
    auth,
    campaigns,
    challenges,
    champion_events,
    champions,
    claims,
    docs,
    groups,
    health,
    insights,
    insights_page,
    kudos,
    leaderboards,
    me,
    newsletter,
    nudges,
    pages,
    people,
    screen,
    screen_data,
    stories,
    teams,
    usecases,
)
from shared.settings import ApiSettings

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    metrics = ApiMetrics()
    # Only public boards may be answered without looking at the caller.
    edge = EdgeCache(settings.api_board_cache_seconds if settings.api_public_boards else 0)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings, metrics, edge.clear) as resources:
            app.state.resources = resources
            yield

    app = FastAPI(
        title="Uptake API",
        version="0.1.0",
        summary="Leaderboards, office screens, profiles and adoption insights.",
        lifespan=lifespan,
        docs_url=None,  # served by routers.docs, under a policy of its own
        redoc_url=None,
    )
    app.add_middleware(EdgeCacheMiddleware, cache=edge)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeadersMiddleware)
    for module in (
        health,
        auth,
        leaderboards,
        groups,
        challenges,
        me,
        insights,
        insights_page,
        campaigns,
        nudges,
        newsletter,
        admin_displays,
        admin_people,
        admin_recognition,
        admin_rules,
        admin_team_mapping,
        champions,
        champion_events,
        activities,
        people,
        kudos,
        stories,
        usecases,
        claims,
        teams,
        community_page,
        screen,
        screen_data,
        pages,
        docs,
        asyncapi,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
