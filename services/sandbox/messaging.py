"""Teams Workflows webhooks and Viva Engage, as the sandbox tenant plays them."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["messaging"])
