"""The OpenAPI docs page (Swagger UI), under a policy that allows its own script and no other.

Swagger UI comes from a CDN and starts with one inline script; the page's policy
names that script by its hash instead of allowing inline scripts in general.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

CDN = "https://cdn.jsdelivr.net"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@cache
def docs_page() -> tuple[bytes, str]:
    html = bytes(get_swagger_ui_html(openapi_url="/openapi.json", title="Uptake API").body)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html.decode())
    )
    policy = (
        f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN} 'unsafe-inline'; "
        f"img-src 'self' data: {CDN} https://fastapi.tiangolo.com; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return html, policy


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    html, policy = docs_page()
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})
