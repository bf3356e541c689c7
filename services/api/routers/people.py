"""Finding colleagues by name (for kudos and nominations): an address book, no scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.people import MAX_QUERY, MIN_QUERY, PersonHit, search
from services.api.deps import EmployeeDep, ResourcesDep
from services.api.schemas import errors
from services.api.text import OneLine

router = APIRouter(prefix="/api/people", tags=["community"], responses=errors(401, 403))


@router.get("/search", response_model=list[PersonHit])
async def search_people(
    resources: ResourcesDep,
    me: EmployeeDep,
    q: Annotated[
        OneLine,
        Query(
            min_length=MIN_QUERY,
            max_length=MAX_QUERY,
            description="Part of a colleague's name (at least 2 characters)",
        ),
    ],
    include_me: Annotated[bool, Query(description="Also list the caller")] = False,
) -> list[PersonHit]:
    """Up to 10 colleagues in the directory (present and licensed) whose name contains q."""
    async with AsyncSession(resources.engine) as session:
        return await search(session, q, exclude=None if include_me else me.person)
