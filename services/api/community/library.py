"""The use-case library: practical scenarios per department and function, in nl, en and fr.

Each use case names an app, a target KPI, a title, a description and sample prompts in
every language. The built-in set (``usecases.yaml``) is loaded on start: a built-in use
case whose id is not in the table yet is added, so an edited or deleted one stays as
its editors left it. Admins and champions edit the library; every change is a new
version, kept in ``api_usecase_version``. An edit names the version it started from:
sent again, it changes nothing; made on an older version, it is refused (409).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import JSON, Column, DateTime, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field as TableField
from sqlmodel import SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.locks import take_turn
from services.api.community.refusals import Refused
from shared.events import App
from shared.languages import Language

BUILT_IN = Path(__file__).with_name("usecases.yaml")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
FUNCTIONS = ("any", "sales", "marketing", "finance", "hr", "legal", "operations", "management")


def utcnow() -> datetime:
    return datetime.now(UTC)


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
PromptList = Annotated[list[Prompt], Field(min_length=1, max_length=5)]


class ShortText(BaseModel):
    """A short text in every language."""

    nl: Short
    en: Short
    fr: Short

    def get(self, language: Language) -> str:
        text: str = getattr(self, language)
        return text


class LongText(BaseModel):
    nl: Long
    en: Long
    fr: Long

    def get(self, language: Language) -> str:
        text: str = getattr(self, language)
        return text


class Prompts(BaseModel):
    """Sample prompts, one to five per language."""

    nl: PromptList
    en: PromptList
    fr: PromptList

    def get(self, language: Language) -> list[str]:
        prompts: list[str] = getattr(self, language)
        return prompts


class UseCaseContent(BaseModel):
    """What an editor writes about a use case."""

    department: Annotated[
        str | None, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)
    ] = Field(default=None, description="Only for this department; none: for everyone")
    function: str = Field(
        default="any", pattern=f"^({'|'.join(FUNCTIONS)})$", description="The job function"
    )
    app: App
    kpi: ShortText = Field(description="The KPI it moves, e.g. minutes saved per meeting")
    title: ShortText
    description: LongText
    prompts: Prompts


class UseCase(SQLModel, table=True):
    """A use case as it is now; ``deleted`` ones stay, so their id is not reused."""

    __tablename__ = "api_usecase"

    id: str = TableField(primary_key=True, max_length=64)
    version: int = 1
    department: str | None = TableField(default=None, max_length=256, index=True)
    function: str = TableField(default="any", max_length=32)
    app: str = TableField(max_length=16, index=True)
    content: dict[str, Any] = TableField(sa_column=Column(JSON, nullable=False))
    builtin: bool = False
    deleted: bool = False
    position: int = 1000  # the built-in order first, then the rest by id
    updated_at: datetime = TableField(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_by: str | None = TableField(default=None, max_length=64)

    def read(self) -> UseCaseContent:
        return UseCaseContent.model_validate(self.content)


class UseCaseVersion(SQLModel, table=True):
    """Every version of every use case, as its editor left it."""

    __tablename__ = "api_usecase_version"

    use_case: str = TableField(primary_key=True, max_length=64)
    version: int = TableField(primary_key=True)
    content: str = TableField(sa_column=Column(Text, nullable=False))
    deleted: bool = False
    changed_by: str | None = TableField(default=None, max_length=64)
    changed_at: datetime = TableField(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


USE_CASES = UseCase.__table__  # type: ignore[attr-defined]
VERSIONS = UseCaseVersion.__table__  # type: ignore[attr-defined]


@cache
def built_in() -> tuple[tuple[str, UseCaseContent], ...]:
    """The built-in use cases, in their order (``usecases.yaml``)."""
    document = yaml.safe_load(BUILT_IN.read_text(encoding="utf-8"))
    return tuple(
        (str(entry.pop("id")), UseCaseContent.model_validate(entry))
        for entry in document["use_cases"]
    )


def _stored(content: UseCaseContent) -> dict[str, Any]:
    stored: dict[str, Any] = content.model_dump(mode="json")
    return stored


async def seed(engine: AsyncEngine) -> int:
    """Add the built-in use cases missing from the table; returns how many were added."""
    added = 0
    async with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        for position, (use_case, content) in enumerate(built_in()):
            inserted = await conn.execute(
                dialect.insert(USE_CASES)
                .values(
                    id=use_case,
                    version=1,
                    department=content.department,
                    function=content.function,
                    app=content.app.value,
                    content=_stored(content),
                    builtin=True,
                    deleted=False,
                    position=position,
                    updated_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["id"])
            )
            if not inserted.rowcount:
                continue
            added += 1
            await conn.execute(
                dialect.insert(VERSIONS)
                .values(
                    use_case=use_case,
                    version=1,
                    content=json.dumps(_stored(content), sort_keys=True),
                    deleted=False,
                    changed_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["use_case", "version"])
            )
    return added


async def find(session: AsyncSession, use_case: str) -> UseCase | None:
    """The use case with this id, unless deleted."""
    row = await session.get(UseCase, use_case)
    return None if row is None or row.deleted else row


async def listing(
    session: AsyncSession,
    *,
    department: str | None = None,
    app: App | None = None,
    function: str | None = None,
) -> list[UseCase]:
    """Use cases for everyone and, given a department, for that department."""
    query = select(UseCase).where(col(UseCase.deleted).is_(False))
    if department is not None:
        query = query.where(
            or_(col(UseCase.department).is_(None), col(UseCase.department) == department)
        )
    if app is not None:
        query = query.where(UseCase.app == app.value)
    if function is not None:
        query = query.where(or_(UseCase.function == function, UseCase.function == "any"))
    query = query.order_by(col(UseCase.position), col(UseCase.id))
    return list((await session.exec(query)).all())


def _version_row(row: UseCase, editor: str | None) -> UseCaseVersion:
    return UseCaseVersion(
        use_case=row.id,
        version=row.version,
        content=json.dumps(row.content, sort_keys=True),
        deleted=row.deleted,
        changed_by=editor,
        changed_at=row.updated_at,
    )


def _apply(row: UseCase, content: UseCaseContent, editor: str | None) -> None:
    row.department = content.department
    row.function = content.function
    row.app = content.app.value
    row.content = _stored(content)
    row.updated_by = editor
    row.updated_at = utcnow()


async def create(
    session: AsyncSession, use_case: str, content: UseCaseContent, editor: str
) -> tuple[UseCase, bool]:
    """Add a use case; the same id with the same content again is the one added (False)."""
    await take_turn(session, f"usecase:{use_case}")
    existing = await session.get(UseCase, use_case)
    if existing is not None:
        if not existing.deleted and existing.content == _stored(content):
            return existing, False
        raise Refused(409, "a use case with this id exists (or existed); edit it with PUT")
    row = UseCase(id=use_case, version=1, app=content.app.value, content={})
    _apply(row, content, editor)
    session.add(row)
    session.add(_version_row(row, editor))
    return row, True


async def update(
    session: AsyncSession, use_case: str, content: UseCaseContent, based_on: int, editor: str
) -> UseCase:
    """Replace version ``based_on`` with ``content`` as the next version."""
    await take_turn(session, f"usecase:{use_case}")
    row = await find(session, use_case)
    if row is None:
        raise Refused(404, "no use case with this id")
    same = row.content == _stored(content)
    if same and row.version in (based_on, based_on + 1):
        return row  # nothing to change, or this very edit sent again
    if row.version != based_on:
        raise Refused(409, f"the use case changed meanwhile: it is at version {row.version}")
    _apply(row, content, editor)
    row.version += 1
    session.add(row)
    session.add(_version_row(row, editor))
    return row


async def delete(session: AsyncSession, use_case: str, editor: str) -> UseCase:
    """Take a use case out of the library (a new version, marked deleted)."""
    await take_turn(session, f"usecase:{use_case}")
    row = await session.get(UseCase, use_case)
    if row is None:
        raise Refused(404, "no use case with this id")
    if row.deleted:
        return row
    row.deleted = True
    row.version += 1
    row.updated_by = editor
    row.updated_at = utcnow()
    session.add(row)
    session.add(_version_row(row, editor))
    return row


async def history(session: AsyncSession, use_case: str) -> list[UseCaseVersion]:
    rows = await session.exec(
        select(UseCaseVersion)
        .where(UseCaseVersion.use_case == use_case)
        .order_by(col(UseCaseVersion.version))
    )
    return list(rows.all())


async def titles(session: AsyncSession, ids: set[str], language: Language) -> dict[str, str]:
    """The titles in ``language`` of the use cases ``ids`` (deleted ones included)."""
    if not ids:
        return {}
    rows = await session.exec(select(UseCase).where(col(UseCase.id).in_(sorted(ids))))
    return {row.id: row.read().title.get(language) for row in rows.all()}
