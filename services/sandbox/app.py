"""Composition root of the sandbox tenant: state, routers, fault middleware."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.sandbox import admin, directory, entra, interactions, messaging, reports
from services.sandbox.faults import fault_middleware
from services.sandbox.graphauth import GraphDenied
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import SandboxState, build_state


def create_app(
    settings: SandboxSettings | None = None, state: SandboxState | None = None
) -> FastAPI:
    state = state or build_state(settings or SandboxSettings())
    app = FastAPI(
        title="Uptake sandbox tenant", docs_url="/sandbox/docs", openapi_url="/sandbox/openapi.json"
    )
    app.state.sandbox = state
    app.middleware("http")(fault_middleware)

    @app.exception_handler(GraphDenied)
    async def _denied(request: Request, exc: GraphDenied) -> JSONResponse:
        return exc.response

    @app.get("/healthz", tags=["sandbox control"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(admin.router)
    app.include_router(reports.router)
    app.include_router(directory.router)
    app.include_router(interactions.router)
    app.include_router(messaging.router)
    app.include_router(entra.router)  # last: its routes start with a path parameter
    return app
