"""What ingest has already published: watermarks, cursors and the directory join, in SQL.

SQL rather than a JetStream KV bucket because the state is bulk: per-fact keys
of the revalidation window, one cursor per licensed person and the directory's
userPrincipalName -> object id map run to hundreds of thousands of small rows
that must change together in one transaction after JetStream acknowledged the
events (KV values are capped at the NATS payload size and every key is its own
round trip). The tables are ingest's own; SQLite by default, PostgreSQL in
production, through shared.database.

With the pseudonym key, the commits keep erased people out
(``shared.suppression``): under the erasure lock, a directory user or cursor of a
listed person is not written, so a cycle that began before an erasure cannot
bring back the rows the erasure deleted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared import suppression
from shared.ids import pseudonym, report_identity
from shared.logs import get_logger

metadata = MetaData()

watermarks = Table(
    "ingest_watermark",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
usage_facts = Table(
    "ingest_usage_fact",
    metadata,
    Column("fact_id", String(32), primary_key=True),
    Column("day", Date, nullable=False, index=True),
)
directory_users = Table(
    "ingest_directory_user",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("upn", String(320), index=True),
    Column("display_name", String(256)),
    Column("department", String(256)),
    Column("job_title", String(256)),
    Column("office_location", String(256)),
    Column("licensed", Boolean, nullable=False),
    Column("removed", Boolean, nullable=False),
)
# Report identities published as unattributed since the last retirement (written before
# their facts are published, so an interrupted run cannot leave facts nobody retires).
unattributed_identities = Table(
    "ingest_unattributed_identity",
    metadata,
    Column("report_identity", String(64), primary_key=True),
    Column("reason", String(32), nullable=False),
)
interaction_cursors = Table(
    "ingest_interaction_cursor",
    metadata,
    Column("object_id", String(64), primary_key=True),
    Column("until", DateTime(timezone=True), nullable=False),
)

CHUNK = 5000
log = get_logger(__name__)
EPOCH = "unattributed_epoch"
RETIRING = "unattributed_retiring"  # an epoch whose withdrawal is under way
USAGE = "usage_report"


def _upsert(conn: AsyncConnection, table: Table, keys: list[str]) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=updates)


class IngestState:
    def __init__(self, engine: AsyncEngine, key: str | None = None) -> None:
        self.engine = engine
        self.key = key  # PSEUDONYM_KEY: keeps erased people out of the commits

    async def create(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.run_sync(lambda sync: suppression.TABLE.create(sync, checkfirst=True))

    async def erased(self) -> frozenset[str]:
        """The suppression list's keys, as a cycle starts."""
        return frozenset(await suppression.listed(self.engine))

    async def learn_erased(self, learnt: Iterable[set[str]]) -> None:
        """Keys of erased users seen in the directory, for their erasure (each set holds
        one of theirs already listed)."""
        added = await suppression.extend(self.engine, [k for k in learnt if k])
        if added:
            log.info("keys of erased people added to the suppression list", keys=added)

    async def _erased_ids(
        self, conn: AsyncConnection, users: Collection[Mapping[str, Any]]
    ) -> set[str]:
        """Object ids of listed people among ``users`` (under the erasure lock)."""
        if self.key is None:
            return set()
        await suppression.hold(conn)
        keys: dict[str, str] = {}
        for user in users:
            oid = str(user["object_id"])
            keys[pseudonym(oid, self.key)] = oid
            if user.get("upn"):
                keys[report_identity(str(user["upn"]), self.key)] = oid
        return {keys[k] for k in await suppression.among(conn, keys)}

    async def watermark(self, name: str) -> str | None:
        async with self.engine.connect() as conn:
            row = await conn.execute(select(watermarks.c.value).where(watermarks.c.name == name))
            return row.scalar_one_or_none()

    async def set_watermark(self, name: str, value: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                _upsert(conn, watermarks, ["name"]), [{"name": name, "value": value}]
            )

    async def open_usage_facts(self, since: date) -> set[str]:
        """Ids of usage facts published for days after ``since`` (still being revalidated)."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(usage_facts.c.fact_id).where(usage_facts.c.day > since)
            )
            return set(rows.scalars())

    async def commit_usage(
        self, *, watermark: date, facts: Iterable[tuple[str, date]], keep_after: date
    ) -> None:
        """Record published facts and move the report watermark, in one transaction."""
        rows = [{"fact_id": f, "day": d} for f, d in facts if d > keep_after]
        async with self.engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                await conn.execute(
                    _upsert(conn, usage_facts, ["fact_id"]), rows[start : start + CHUNK]
                )
            await conn.execute(delete(usage_facts).where(usage_facts.c.day <= keep_after))
            await conn.execute(
                _upsert(conn, watermarks, ["name"]),
                [{"name": USAGE, "value": watermark.isoformat()}],
            )

    async def epoch(self) -> int:
        """The current unattributed epoch: 1, plus one per retirement so far."""
        stored = await self.watermark(EPOCH)
        return int(stored) if stored else 1

    async def held_identities(self) -> dict[str, str]:
        """Report identities published as unattributed in the current epoch -> reason."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(unattributed_identities.c.report_identity, unattributed_identities.c.reason)
            )
            return {identity: reason for identity, reason in rows}

    async def hold(self, identities: Mapping[str, str]) -> None:
        """Record report identities (-> reason) before their facts are published."""
        rows = [{"report_identity": k, "reason": v} for k, v in identities.items()]
        if not rows:
            return
        async with self.engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                await conn.execute(
                    _upsert(conn, unattributed_identities, ["report_identity"]),
                    rows[start : start + CHUNK],
                )

    async def retiring(self) -> int | None:
        """The epoch being withdrawn, when a retirement was started and not finished."""
        stored = await self.watermark(RETIRING)
        return int(stored) if stored else None

    async def start_retiring(self, epoch: int) -> None:
        """Note the retirement before it goes on the bus, so an interruption resumes it."""
        await self.set_watermark(RETIRING, str(epoch))

    async def begin_epoch(self, retired: int) -> int:
        """After epoch ``retired`` was withdrawn on the bus: forget its identities and the
        report's watermark (so the whole report is read again) and start the next epoch,
        in one transaction. Repeating it for the same epoch changes nothing more."""
        async with self.engine.begin() as conn:
            current = await conn.execute(
                select(watermarks.c.value).where(watermarks.c.name == EPOCH)
            )
            stored = current.scalar_one_or_none()
            if (int(stored) if stored else 1) > retired:
                await conn.execute(delete(watermarks).where(watermarks.c.name == RETIRING))
                return int(stored or 1)
            await conn.execute(delete(unattributed_identities))
            await conn.execute(delete(usage_facts))
            await conn.execute(delete(watermarks).where(watermarks.c.name.in_((USAGE, RETIRING))))
            await conn.execute(
                _upsert(conn, watermarks, ["name"]), [{"name": EPOCH, "value": str(retired + 1)}]
            )
        return retired + 1

    async def upn_index(self) -> dict[str, str]:
        """Lower-cased userPrincipalName -> object id of present directory users."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(directory_users.c.upn, directory_users.c.object_id).where(
                    directory_users.c.removed.is_(False)
                )
            )
            return {upn.lower(): oid for upn, oid in rows if upn}

    async def directory(self) -> dict[str, dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(directory_users))
            return {row.object_id: dict(row._mapping) for row in rows}

    async def licensed_users(self) -> list[str]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(directory_users.c.object_id)
                .where(directory_users.c.licensed.is_(True), directory_users.c.removed.is_(False))
                .order_by(directory_users.c.object_id)
            )
            return list(rows.scalars())

    async def commit_directory(
        self, users: list[dict[str, Any]], delta_link: str, forget: Collection[str] = ()
    ) -> None:
        """Store changed users and the delta link; ``forget``: object ids of erased users
        the directory still sends, whose rows (say, restored from a backup) go."""
        async with self.engine.begin() as conn:
            erased = await self._erased_ids(conn, users)
            users = [u for u in users if u["object_id"] not in erased]
            if gone := sorted({*forget, *erased}):
                for table in (directory_users, interaction_cursors):
                    await conn.execute(delete(table).where(table.c.object_id.in_(gone)))
            for start in range(0, len(users), CHUNK):
                await conn.execute(
                    _upsert(conn, directory_users, ["object_id"]), users[start : start + CHUNK]
                )
            await conn.execute(
                _upsert(conn, watermarks, ["name"]),
                [{"name": "directory_delta", "value": delta_link}],
            )

    async def interaction_cursors(self) -> dict[str, datetime]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(interaction_cursors.c.object_id, interaction_cursors.c.until)
            )
            return {
                oid: until if until.tzinfo else until.replace(tzinfo=UTC) for oid, until in rows
            }

    async def commit_interaction_cursors(self, cursors: Mapping[str, datetime]) -> None:
        rows = [{"object_id": k, "until": v} for k, v in cursors.items()]
        if not rows:
            return
        async with self.engine.begin() as conn:
            erased = await self._erased_ids(conn, rows)
            rows = [r for r in rows if r["object_id"] not in erased]
            for start in range(0, len(rows), CHUNK):
                await conn.execute(
                    _upsert(conn, interaction_cursors, ["object_id"]), rows[start : start + CHUNK]
                )
