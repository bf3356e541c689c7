"""A team's standing: per-capita rank, active rate, and contributions without unwanted names."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.directory import Snapshot
from services.api.groups import group_standing
from shared.ids import pseudonym
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, put_scores, team_of
from tests.integration.api.tenant import Tenant


async def test_team_standing_names_only_opted_in_members(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    await add_people(
        engine,
        [*team_of("Alpha", 6, opted=1), *team_of("Beta", 5), *team_of("Tiny", 2)],
    )
    period = "2026-W48"
    await put_scores(redis, Scope.TEAMS, Window.WEEK, period, {"Tiny": 50, "Beta": 9, "Alpha": 4})
    await put_scores(
        redis,
        Scope.PEOPLE,
        Window.WEEK,
        period,
        {"p-alpha-0": 10, "p-alpha-1": 8, "p-alpha-2": 6, "p-beta-0": 45},
    )

    response = await client.get(f"/api/teams/Alpha?window=week&period={period}")

    body = response.json()
    assert body["rank"] == 2  # behind Beta; Tiny is too small to rank
    assert body["points_per_member"] == 4.0
    assert (body["members"], body["active"], body["active_rate"]) == (6, 3, 0.5)
    assert body["named"] == [{"name": "Alpha Member 0", "points": 10.0}]
    assert (body["others"], body["others_points"]) == (2, 14.0)
    assert "p-alpha" not in response.text and "Member 1" not in response.text


async def test_small_or_unknown_groups_are_not_found(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Tiny", 2, department="Small"))

    assert (await client.get("/api/teams/Tiny")).status_code == 404
    assert (await client.get("/api/departments/Small")).status_code == 404
    assert (await client.get("/api/teams/Nobody")).status_code == 404


WINDOWS = [
    (Window.DAY, "2026-11-20"),
    (Window.WEEK, "2026-W47"),
    (Window.MONTH, "2026-11"),
    (Window.ALL, "all"),
]


async def published_by_name(
    client: httpx.AsyncClient, team: str, window: Window, period: str
) -> tuple[dict[str, float], dict[str, object]]:
    """Every Alpha member's points that a public caller can read next to a name, in one window:
    from the team's standing and from the people board (whoever knows the team's members can
    link the two), and the standing itself."""
    standing = await client.get(f"/api/teams/{team}?window={window}&period={period}")
    assert standing.status_code == 200
    body = standing.json()
    board = await client.get(f"/api/leaderboards/people?window={window}&period={period}&limit=100")
    named = {entry["name"]: entry["value"] for entry in board.json()["entries"] if entry["name"]}
    named |= {c["name"]: c["points"] for c in body["named"]}
    return {n: v for n, v in named.items() if n.startswith(f"{team} Member")}, body


async def test_what_is_left_of_a_team_below_the_minimum_size_stays_hidden_in_every_window(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    """Four of Alpha's five members opted in to be named; the fifth did not.

    Protected: in no window (day, week, month, all) can a public caller pin a number on
    the fifth person, neither read as the "others" sum nor worked out as the team's total
    (points per member times members) minus the named members' points, from the standing
    or the people board. The decision depends on who opted in, never on the window or on
    who was active, so one window cannot be subtracted from another either.
    """
    await add_people(engine, team_of("Alpha", 5, opted=4))
    fifth = {Window.DAY: 7.0, Window.WEEK: 19.0, Window.MONTH: 40.0, Window.ALL: 123.0}
    for window, period in WINDOWS:
        people = {f"p-alpha-{i}": 10.0 + i for i in range(4)} | {"p-alpha-4": fifth[window]}
        await put_scores(redis, Scope.PEOPLE, window, period, people)
        total = sum(people.values())
        await put_scores(redis, Scope.TEAMS, window, period, {"Alpha": total / 5})

    for window, period in WINDOWS:
        by_name, body = await published_by_name(client, "Alpha", window, period)
        unnamed = 5 - len(by_name)
        assert unnamed == 0 or unnamed >= 5, (window, by_name)
        team_total = round(float(body["points_per_member"]) * 5, 2)  # type: ignore[arg-type]
        assert team_total - sum(by_name.values()) != fifth[window] or not by_name
        if body["others"] == 1:
            assert body["others_points"] != fifth[window]
        assert body["active"] == 5 and body["members"] == 5


async def test_named_contributors_show_beside_a_remainder_of_at_least_the_minimum(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    """Ten members, five named: the other five are summed, and a fully opted-in team is all
    named with nothing left over."""
    await add_people(
        engine, [*team_of("Beta", 10, opted=5), *team_of("Gamma", 5, department="HR", opted=5)]
    )
    period = "2026-W47"
    scores = {f"p-beta-{i}": float(i + 1) for i in range(10)}
    scores |= {f"p-gamma-{i}": float(i + 20) for i in range(5)}
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, period, scores)
    await put_scores(redis, Scope.TEAMS, Window.WEEK, period, {"Beta": 5.5, "Gamma": 22.0})

    beta = (await client.get(f"/api/teams/Beta?window=week&period={period}")).json()
    assert [c["name"] for c in beta["named"]] == [f"Beta Member {i}" for i in (4, 3, 2, 1, 0)]
    assert (beta["others"], beta["others_points"]) == (5, 40.0)
    gamma = (await client.get(f"/api/teams/Gamma?window=week&period={period}")).json()
    assert len(gamma["named"]) == 5 and (gamma["others"], gamma["others_points"]) == (0, 0.0)


async def test_a_standing_never_lists_names_beside_a_small_remainder(redis: Redis) -> None:
    """Even when handed names that would expose the fifth member, the standing counts all five
    as others."""
    members: dict[str, tuple[str | None, str | None]] = {
        f"p-{i}": ("Alpha", "Sales") for i in range(5)
    }
    directory = Snapshot(
        team_sizes={"Alpha": 5},
        department_sizes={"Sales": 5},
        names={f"p-{i}": f"Member {i}" for i in range(4)},
        memberships=members,
    )
    await put_scores(redis, Scope.PEOPLE, Window.ALL, "all", {f"p-{i}": i + 1.0 for i in range(5)})
    await put_scores(redis, Scope.TEAMS, Window.ALL, "all", {"Alpha": 3.0})

    found = await group_standing(redis, directory, Scope.TEAMS, "Alpha", Window.ALL, "all", 5)

    assert found is not None
    assert found.named == [] and (found.others, found.others_points) == (5, 15.0)


async def test_my_page_says_when_my_name_is_held_back(
    client: httpx.AsyncClient, engine: AsyncEngine, tenant: Tenant, api_settings: ApiSettings
) -> None:
    oid = "0b0b0b0b-1111-4222-8333-444455556666"
    me = pseudonym(oid, api_settings.pseudonym_key.get_secret_value())
    alpha = team_of("Alpha", 4, opted=3)
    await add_people(
        engine, [*alpha, Person(person=me, display_name="Me", team="Alpha", opted_in=True)]
    )
    token = {"Authorization": f"Bearer {tenant.token(oid=oid)}"}

    held_back = (await client.get("/api/me", headers=token)).json()
    assert held_back["opted_in"] is True and held_back["name_shown"] is False

    async with AsyncSession(engine) as session:
        last = await session.get(Person, "p-alpha-3")
        assert last is not None
        last.opted_in = True  # everyone named now: nothing is left to give away
        session.add(last)
        await session.commit()
    shown = (await client.get("/api/me", headers=token)).json()
    assert shown["name_shown"] is True


async def test_a_former_licensee_still_counted_in_the_team_total_is_never_left_alone(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    """Scoring files the points of people without a licence (now) under their team too, so
    they belong to what the standing adds up: with everyone licensed named, the one former
    licensee would be the team's total minus the names."""
    former = Person(person="p-former", team="Alpha", department="Sales", licensed=False)
    await add_people(engine, [*team_of("Alpha", 5, opted=5), former])
    beta = [*team_of("Beta", 6, department="HR", opted=1)]
    beta_former = Person(person="p-beta-former", team="Beta", department="HR", licensed=False)
    await add_people(engine, [*beta, beta_former])
    period = "2026-W47"
    people = {f"p-alpha-{i}": 10.0 for i in range(5)} | {"p-former": 15.0}
    people |= {f"p-beta-{i}": 6.0 for i in range(6)} | {"p-beta-former": 12.0}
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, period, people)
    await put_scores(redis, Scope.TEAMS, Window.WEEK, period, {"Alpha": 13.0, "Beta": 8.0})

    alpha = (await client.get(f"/api/teams/Alpha?window=week&period={period}")).json()
    assert alpha["named"] == [] and (alpha["others"], alpha["others_points"]) == (6, 65.0)
    board = await client.get(f"/api/leaderboards/people?window=week&period={period}&limit=100")
    assert not any((e["name"] or "").startswith("Alpha") for e in board.json()["entries"])

    beta_standing = (await client.get(f"/api/teams/Beta?window=week&period={period}")).json()
    named = sum(c["points"] for c in beta_standing["named"])
    total = beta_standing["points_per_member"] * beta_standing["members"]
    assert total == named + beta_standing["others_points"]  # nothing unaccounted for
    assert beta_standing["others"] == 6 and beta_standing["active"] == 6
