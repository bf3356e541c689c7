"""The use case a tip tells, read from the community's use-case library."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.errors import Invalid, NotFound
from services.api.champions.tips import UseCase
from services.api.community import library


async def for_tip(session: AsyncSession, use_case: str, department: str) -> UseCase:
    """The library's use case ``use_case``, if it may be sent to ``department``."""
    row = await library.find(session, use_case)
    if row is None:
        raise NotFound("no such use case in the library")
    content = row.read()
    if content.department is not None and content.department != department:
        raise Invalid(f"this use case is for {content.department}")
    return UseCase(
        id=row.id,
        app=content.app,
        titles=content.title.model_dump(),
        prompts=content.prompts.model_dump(),
    )
