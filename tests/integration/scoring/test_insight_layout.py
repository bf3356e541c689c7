"""A ``person`` table from before job functions gains the column, rows kept, and the
directory then fills it from job titles."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, Column, DateTime, MetaData, String, Table, inspect, text

from services.scoring.bootstrap import prepare_tables
from services.scoring.store import directory, layout
from shared.database import create_engine
from shared.events import DirectoryPerson

OLD = MetaData()
Table(
    "person",
    OLD,
    Column("person", String(64), primary_key=True),
    Column("display_name", String(256)),
    Column("department", String(256), index=True),
    Column("team", String(256), index=True),
    Column("licensed", Boolean, nullable=False),
    Column("removed", Boolean, nullable=False),
    Column("opted_in", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


async def test_an_old_person_table_gains_the_job_function_column(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(OLD.create_all)
            await conn.execute(
                OLD.tables["person"].insert(),
                [
                    {
                        "person": f"p-{n}",
                        "department": "Sales",
                        "team": "Red",
                        "licensed": True,
                        "removed": False,
                        "opted_in": n == 0,
                        "updated_at": AT,
                    }
                    for n in range(3)
                ],
            )
        assert await layout.upgrade(engine) == ["person"]
        assert await layout.upgrade(engine) == []  # once only
        await prepare_tables(engine)  # what the service does: the rest is made

        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("person")}
            )
            rows = (
                await conn.execute(
                    text("SELECT person, department, opted_in, job_function FROM person")
                )
            ).all()
        assert "job_function" in columns
        assert sorted((p, d, bool(o), f) for p, d, o, f in rows) == [
            ("p-0", "Sales", True, None),
            ("p-1", "Sales", False, None),
            ("p-2", "Sales", False, None),
        ]

        fact = DirectoryPerson(
            person="p-1",
            department="Sales",
            team="Red",
            job_title=" Account\tManager ",
            observed_at=datetime.now(UTC),
        )
        async with engine.begin() as conn:
            await directory.upsert_people(conn, [fact])
        async with engine.connect() as conn:
            function = await conn.execute(
                text("SELECT job_function FROM person WHERE person = 'p-1'")
            )
            assert function.scalar_one() == "Account Manager"
    finally:
        await engine.dispose()
