"""Composition root of the sandbox tenant: state, routers, fault middleware."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.sandbox import (
    admin,
    authorize,
    batch,
    directory,
    entra,
    interactions,
    messaging,
    reports,
    teams_sso,
)
from services.sandbox.errors import graph_error
from services.sandbox.faults import FaultMiddleware
from services.sandbox.graphauth import GraphDenied
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import SandboxState, build_state

GRAPH_PREFIXES = ("/v1.0/", "/beta/")


def create_app(
    settings: SandboxSettings | None = None, state: SandboxState | None = None
) -> FastAPI:
    state = state or build_state(settings or SandboxSettings())
    app = FastAPI(
        title="Uptake sandbox tenant", docs_url="/sandbox/docs", openapi_url="/sandbox/openapi.json"
    )
    app.state.sandbox = state
    app.add_middleware(FaultMiddleware)

    @app.exception_handler(GraphDenied)
    async def _denied(request: Request, exc: GraphDenied) -> JSONResponse:
        return exc.response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(GRAPH_PREFIXES):
            segment = request.url.path.rsplit("/", 1)[-1]
            return graph_error(exc.status_code, f"Resource not found for the segment '{segment}'.")
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.get("/healthz", tags=["sandbox control"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # the busiest Graph routes first: routing tries routes in order
    app.include_router(batch.router)
    app.include_router(interactions.router)
    app.include_router(reports.router)
    app.include_router(directory.router)
    app.include_router(admin.router)
    app.include_router(messaging.router)
    app.include_router(authorize.router)
    app.include_router(teams_sso.router)
    app.include_router(entra.router)  # last: its routes start with a path parameter
    return app


def create_browser_app(state: SandboxState) -> FastAPI:
    """What the plain HTTP listener serves: the sign-in page a browser opens, nothing else."""
    app = FastAPI(title="Uptake sandbox tenant: sign-in", docs_url=None, openapi_url=None)
    app.state.sandbox = state
    app.include_router(authorize.router)
    return app
