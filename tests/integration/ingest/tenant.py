"""A small scripted Microsoft 365 tenant over real HTTPS, for ingest's edge cases.

It answers exactly what a test puts in it (report bodies, directory pages,
interaction items, queued faults), and records every request, so a test can
check what ingest sent (e.g. no token on a download URL).
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import orjson
import trustme
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from devtools.servers import free_port

TENANT = "contoso-test"
CLIENT_ID = "ingest-test-client"
SECRET = "ingest-test-secret"
REPORT = "copilot/reports/getMicrosoft365CopilotUsageUserDetail"
# Timestamps are compared as text: the tests use one ISO format with a Z suffix.
WINDOW = re.compile(r"createdDateTime ge (\S+) and createdDateTime lt (\S+)")


@dataclass
class Seen:
    path: str
    query: str
    authorised: bool


@dataclass
class FakeTenant:
    base_url: str = ""
    authority: str = ""
    ca_path: Path = Path()
    report_csv: str = ""
    report_json_pages: list[list[dict[str, Any]]] = field(default_factory=list)
    redirect_report: bool = False
    concealed_setting: bool | None = True
    users: list[dict[str, Any]] = field(default_factory=list)
    interactions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    seen: list[Seen] = field(default_factory=list)
    tokens_issued: int = 0

    def reset(self) -> None:
        self.report_csv, self.report_json_pages, self.redirect_report = "", [], False
        self.concealed_setting, self.users, self.interactions = True, [], {}
        self.faults, self.seen, self.tokens_issued = [], [], 0
        self.gone, self.refused = set(), set()

    def requests_to(self, fragment: str) -> list[Seen]:
        return [s for s in self.seen if fragment in s.path]

    # --- endpoints -----------------------------------------------------------

    async def openid(self, request: Request) -> Response:
        issuer = f"{self.authority}/v2.0"
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{self.authority}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.authority}/oauth2/v2.0/token",
            }
        )

    async def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != SECRET:
            return JSONResponse(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.\r\n"
                    "Trace ID: 1\r\nCorrelation ID: c0ffee",
                    "error_codes": [7000215],
                    "correlation_id": "c0ffee00-0000-4000-8000-000000000001",
                },
                status_code=401,
            )
        self.tokens_issued += 1
        return JSONResponse(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": f"tok-{uuid.uuid4()}"}
        )

    async def graph(self, request: Request) -> Response:
        path = request.url.path
        authorised = request.headers.get("authorization", "").startswith("Bearer tok-")
        self.seen.append(Seen(path, request.url.query, authorised))
        if path.startswith("/download/"):
            return Response(self.report_csv, media_type="application/octet-stream")
        if not authorised:
            return JSONResponse({"error": {"code": "InvalidAuthenticationToken"}}, 401)
        if self.faults:
            status, headers = self.faults.pop(0)
            return JSONResponse(
                {"error": {"code": "fault", "message": "injected"}}, status, headers
            )
        if path.startswith(f"/v1.0/{REPORT}"):
            if self.redirect_report:
                return RedirectResponse(f"{self.base_url}/download/report.csv?sig=s3cret", 302)
            return Response(self.report_csv, media_type="application/octet-stream")
        if path.startswith(f"/beta/{REPORT}"):
            page = int(request.query_params.get("page", "0"))
            body: dict[str, Any] = {"value": self.report_json_pages[page]}
            if page + 1 < len(self.report_json_pages):
                body["@odata.nextLink"] = f"{self.base_url}{path}?page={page + 1}"
            return JSONResponse(body)
        if path == "/v1.0/admin/reportSettings":
            if self.concealed_setting is None:
                return JSONResponse({"error": {"code": "Forbidden"}}, 403)
            return JSONResponse({"value": {"displayConcealedNames": self.concealed_setting}})
        if path == "/v1.0/users/delta":
            return JSONResponse(
                {
                    "value": self.users,
                    "@odata.deltaLink": f"{self.base_url}/v1.0/users/delta?token=1",
                }
            )
        if path.startswith("/v1.0/copilot/users/"):
            return self.interaction_page(request, path.split("/")[4])
        return JSONResponse({"error": {"code": "NotFound"}}, 404)

    async def batch(self, request: Request) -> Response:
        """JSON batching: each inner request answered by :meth:`graph`, faults included."""
        self.seen.append(Seen(request.url.path, "", "authorization" in request.headers))
        version = request.url.path.split("/")[1]
        answers = []
        for inner in orjson.loads(await request.body())["requests"]:
            path, _, query = inner["url"].lstrip("/").partition("?")
            scope = {
                "type": "http",
                "method": inner["method"],
                "scheme": "https",
                "server": request.scope["server"],
                "path": f"/{version}/{path}",
                "raw_path": f"/{version}/{path}".encode(),
                "query_string": query.encode(),
                "headers": [(b"authorization", request.headers["authorization"].encode())],
            }
            answer = await self.graph(Request(scope))
            answers.append(
                {
                    "id": inner["id"],
                    "status": answer.status_code,
                    "headers": {k: v for k, v in answer.headers.items() if k == "retry-after"},
                    "body": orjson.loads(answer.body) if answer.body else None,
                }
            )
        return JSONResponse({"responses": answers[::-1]})  # any order, as Graph may

    def interaction_page(self, request: Request, object_id: str) -> Response:
        if object_id in self.gone:
            return JSONResponse({"error": {"code": "ResourceNotFound"}}, 404)
        if object_id in self.refused:
            return JSONResponse({"error": {"code": "Forbidden"}}, 403)
        bounds = WINDOW.fullmatch(request.query_params.get("$filter", ""))
        if bounds is None:
            return JSONResponse({"error": {"code": "BadRequest", "message": "filter"}}, 400)
        since, until = bounds.group(1), bounds.group(2)
        items = [
            i for i in self.interactions.get(object_id, []) if since <= i["createdDateTime"] < until
        ]
        top = int(request.query_params["$top"])
        skip = int(request.query_params.get("$skip", "0"))
        body: dict[str, Any] = {"value": items[skip : skip + top]}
        if skip + top < len(items):
            query = urlencode({**request.query_params, "$skip": str(skip + top)})
            body["@odata.nextLink"] = f"{self.base_url}{request.url.path}?{query}"
        return JSONResponse(body)


@contextmanager
def running_tenant(workdir: Path) -> Iterator[FakeTenant]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca_path, chain, key = workdir / "ca.pem", workdir / "chain.pem", workdir / "key.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_pem.write_to_path(str(key))
    for i, blob in enumerate(cert.cert_chain_pems):
        blob.write_to_path(str(chain), append=i > 0)
    port = free_port()
    tenant = FakeTenant(
        base_url=f"https://127.0.0.1:{port}",
        authority=f"https://127.0.0.1:{port}/{TENANT}",
        ca_path=ca_path,
    )
    app = Starlette(
        routes=[
            Route(f"/{TENANT}/v2.0/.well-known/openid-configuration", tenant.openid),
            Route(f"/{TENANT}/oauth2/v2.0/token", tenant.token, methods=["POST"]),
            Route("/{version}/$batch", tenant.batch, methods=["POST"]),
            Route("/{rest:path}", tenant.graph),
        ]
    )
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ssl_certfile=str(chain),
        ssl_keyfile=str(key),
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
        timeout_keep_alive=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield tenant
    finally:
        server.should_exit = True
        thread.join(timeout=10)
