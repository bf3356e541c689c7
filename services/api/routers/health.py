"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services.api.deps import ResourcesDep
from services.api.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up and serving."""
    return Health()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(resources: ResourcesDep, response: Response) -> Readiness:
    """Redis, SQL and NATS all answer; 503 otherwise."""

    async def redis_ok() -> bool:
        try:
            return bool(await asyncio.wait_for(resources.redis.ping(), 2))
        except (RedisError, OSError, TimeoutError):
            return False

    async def sql_ok() -> bool:
        try:
            async with resources.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), 2)
            return True
        except (SQLAlchemyError, OSError, TimeoutError):
            return False

    redis, sql = await asyncio.gather(redis_ok(), sql_ok())
    checks = {"redis": redis, "sql": sql, "nats": resources.bus.connected}
    ready = all(checks.values())
    if not ready:
        response.status_code = 503
    return Readiness(status="ready" if ready else "not_ready", checks=checks)


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics(resources: ResourcesDep) -> Response:
    """Prometheus metrics of this replica."""
    return Response(generate_latest(resources.metrics.registry), media_type=CONTENT_TYPE_LATEST)
