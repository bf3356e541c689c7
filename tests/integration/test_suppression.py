"""The suppression list in SQL: who is listed, keys learnt later, and scrubs owed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from shared import suppression
from shared.suppression import SHORT_LIST


def key(n: int) -> str:
    return f"p-{n:024x}"


async def test_the_listed_keys_are_found_in_a_short_list_and_in_a_long_one(
    engine: AsyncEngine,
) -> None:
    asked = {key(n) for n in range(0, 3 * SHORT_LIST, 7)}
    for size in (10, SHORT_LIST + 10):
        async with engine.begin() as conn:
            await suppression.add(conn, key(0), {key(n) for n in range(size)})
        expected = {k for k in asked if int(k[2:], 16) < size}
        assert await suppression.erased_among(engine, asked) == expected
        assert await suppression.erased_among(engine, set()) == set()


async def test_a_key_learnt_later_joins_the_erasure_of_the_person_it_belongs_to(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        await suppression.add(conn, key(1), {key(1)})

    added = await suppression.extend(engine, [{key(1), "r-" + "1" * 24}, {key(2), key(3)}])

    assert added == 1  # the second set names nobody listed
    async with engine.connect() as conn:
        owed = await suppression.unscrubbed(conn)
        rows = await conn.execute(suppression.TABLE.select())
        people = {row.key: row.person for row in rows}
    assert people == {key(1): key(1), "r-" + "1" * 24: key(1)}
    assert set(owed) == set(people)


async def test_a_scrub_asked_for_during_a_scan_stays_owed(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await suppression.add(conn, key(1), {key(1), key(2)})
        owed = await suppression.unscrubbed(conn)  # a scan begins
        await suppression.rescrub(conn, {key(2)})  # a late message came meanwhile
        await suppression.scrubbed(conn, owed)  # the scan ends
        assert await suppression.unscrubbed(conn) == {key(2): 2}
        await suppression.add(conn, key(1), {key(1)})  # erased again: scrubbed again
        assert set(await suppression.unscrubbed(conn)) == {key(1), key(2)}
