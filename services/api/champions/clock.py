"""The time the programme's rules read: one dependency, so that tests can set it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


async def current_time() -> datetime:
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(current_time)]
