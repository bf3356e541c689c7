"""Stored rule-set versions: drafts, the published history, and the version in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.rules import RuleSet, dump_rules, validate_rules
from services.scoring.store.tables import RuleSetVersion, utcnow

RULESETS: Table = RuleSetVersion.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StoredRules:
    version: int
    name: str
    rules: RuleSet
    source: str
    created_at: datetime
    created_by: str | None
    published_at: datetime | None
    published_by: str | None
    note: str | None


def _stored(row: object) -> StoredRules:
    import json

    m = row._mapping  # type: ignore[attr-defined]
    return StoredRules(
        version=m["version"],
        name=m["name"],
        rules=validate_rules(json.loads(m["body"])),
        source=m["source"],
        created_at=m["created_at"],
        created_by=m["created_by"],
        published_at=m["published_at"],
        published_by=m["published_by"],
        note=m["note"],
    )


async def active_version(conn: AsyncConnection) -> int | None:
    """The highest published version: the rules in force."""
    value = await conn.scalar(
        select(func.max(RULESETS.c.version)).where(RULESETS.c.published_at.is_not(None))
    )
    return None if value is None else int(value)


async def load(conn: AsyncConnection, version: int) -> StoredRules | None:
    row = (await conn.execute(select(RULESETS).where(RULESETS.c.version == version))).first()
    return None if row is None else _stored(row)


async def all_versions(conn: AsyncConnection) -> list[StoredRules]:
    rows = await conn.execute(select(RULESETS).order_by(RULESETS.c.version.desc()))
    return [_stored(row) for row in rows]


async def add(
    conn: AsyncConnection, rules: RuleSet, source: str, by: str | None, note: str | None = None
) -> int:
    """Store a new (unpublished) version; a concurrent writer makes this fail, not overwrite."""
    latest = await conn.scalar(select(func.max(RULESETS.c.version)))
    version = int(latest or 0) + 1
    await conn.execute(
        RULESETS.insert().values(
            version=version,
            name=rules.name,
            body=dump_rules(rules),
            source=source,
            created_at=utcnow(),
            created_by=by,
            note=note,
        )
    )
    return version


async def mark_published(conn: AsyncConnection, version: int, by: str | None) -> None:
    await conn.execute(
        update(RULESETS)
        .where(RULESETS.c.version == version)
        .values(published_at=utcnow(), published_by=by)
    )
