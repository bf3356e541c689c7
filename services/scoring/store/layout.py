"""Bringing scoring tables of an earlier layout up to date, rows included.

Stored signals and ledger rows are keyed by person first (``(person, event_id)``
and ``(person, key)``; on SQLite ``WITHOUT ROWID``), so that a batch writes
each person's rows side by side instead of into random places of a separate
unique index. Tables made before that change had a surrogate or event-id key;
:func:`upgrade` rebuilds them in the new layout, in one transaction, so an
interrupted upgrade leaves the old tables as they were and runs again at the
next start.

Tables that only gained nullable columns (``person.job_function``) get them added in
place by :func:`add_columns`; their rows keep NULL there until a directory fact fills it.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.store.tables import LedgerEntry, StoredSignal
from shared.logs import get_logger
from shared.people import Person

log = get_logger(__name__)

TABLES: tuple[Table, ...] = (
    StoredSignal.__table__,  # type: ignore[attr-defined]
    LedgerEntry.__table__,  # type: ignore[attr-defined]
)
OLD_SUFFIX = "_before_upgrade"
# Tables whose later columns are nullable: added in place.
GROWN: tuple[Table, ...] = (Person.__table__,)  # type: ignore[attr-defined]


async def upgrade(engine: AsyncEngine) -> list[str]:
    """Rebuild scoring tables whose primary key is not the current one; their names."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # One upgrader at a time: a second one waits, then finds nothing to do.
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('scoring-layout'))"))
        return await conn.run_sync(_upgrade_all)


async def grow(engine: AsyncEngine) -> list[str]:
    """Add the later nullable columns of the shared tables (``GROWN``) only: what the
    gateway runs at start, so that it can read them before scoring first starts."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('scoring-layout'))"))
        return await conn.run_sync(
            lambda sync: [table.name for table in GROWN if add_columns(sync, table)]
        )


def _upgrade_all(conn: Connection) -> list[str]:
    rebuilt = [table.name for table in TABLES if _upgrade(conn, table)]
    return rebuilt + [table.name for table in GROWN if add_columns(conn, table)]


def add_columns(conn: Connection, table: Table) -> list[str]:
    """Add the nullable columns ``table`` has and its stored table lacks; their names."""
    inspector = inspect(conn)
    if not inspector.has_table(table.name):
        return []
    present = {column["name"] for column in inspector.get_columns(table.name)}
    added = []
    for column in table.columns:
        if column.name in present:
            continue
        if not column.nullable:
            raise RuntimeError(f"{table.name} lacks {column.name}, which cannot be added empty")
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
        added.append(column.name)
    if added:
        log.info("table columns added", table=table.name, columns=added)
    return added


def _upgrade(conn: Connection, table: Table) -> bool:
    inspector = inspect(conn)
    if not inspector.has_table(table.name):
        return False
    wanted = [column.name for column in table.primary_key.columns]
    found = inspector.get_pk_constraint(table.name)
    if found["constrained_columns"] == wanted:
        return False
    columns = {column["name"] for column in inspector.get_columns(table.name)}
    missing = [c.name for c in table.columns if c.name not in columns and not c.nullable]
    if missing:
        raise RuntimeError(f"{table.name} lacks {', '.join(missing)}: not a table this can upgrade")
    rows = conn.execute(text(f"SELECT count(*) FROM {table.name}")).scalar_one()  # noqa: S608
    log.info("upgrading table layout", table=table.name, rows=rows, key=wanted)
    old = table.name + OLD_SUFFIX
    postgres = conn.dialect.name == "postgresql"
    # Index and constraint names are per schema: the old table's must not stand in the
    # way of the new table's, so they go (the rows stay until they are copied).
    for index in inspector.get_indexes(table.name):
        if index["name"] and not index.get("duplicates_constraint"):
            conn.execute(text(f'DROP INDEX "{index["name"]}"'))
    conn.execute(text(f'ALTER TABLE "{table.name}" RENAME TO "{old}"'))
    if postgres and found.get("name"):
        conn.execute(text(f'ALTER TABLE "{old}" DROP CONSTRAINT "{found["name"]}"'))
    table.create(conn)
    names = ", ".join(f'"{c.name}"' for c in table.columns if c.name in columns)
    conn.execute(text(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{old}"'))  # noqa: S608
    conn.execute(text(f'DROP TABLE "{old}"'))
    log.info("table layout upgraded", table=table.name, rows=rows)
    return True
