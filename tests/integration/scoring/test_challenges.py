"""Challenge boards per licensed member, winners after the end, recorded and announced once."""

from __future__ import annotations

from datetime import date

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.scorer import Scorer
from shared.batches import decode
from shared.events import App, ChallengeCompleted
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import activity, drain, feed, ledger_rows, person


async def test_team_rate_and_person_apps_challenges(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    events = [person(f"r-{i}", "Red") for i in range(4)]
    events += [person(f"b-{i}", "Blue") for i in range(2)]
    events += [activity("r-0", 2, App.WORD), activity("r-0", 3, App.EXCEL)]
    events += [activity("r-1", 2, App.WORD)]
    events += [activity("b-0", 2, App.WORD), activity("b-0", 2, App.EXCEL)]
    await feed(js, events)
    await drain(js, scorer)

    rate = await top(redis, board_key(Scope.TEAMS, Window.CHALLENGE, "nov-rate"), 5)
    # A tie at 50% of licensed members: Blue's last activity was earlier, so Blue leads.
    assert [(s.member, s.value) for s in rate] == [("Blue", 50.0), ("Red", 50.0)]
    apps = await top(redis, board_key(Scope.PEOPLE, Window.CHALLENGE, "nov-apps"), 5)
    assert [(s.member, s.value) for s in apps][:2] in (
        [("r-0", 2.0), ("b-0", 2.0)],
        [("b-0", 2.0), ("r-0", 2.0)],
    )
    season = await top(redis, board_key(Scope.PEOPLE, Window.SEASON, "autumn"), 5)
    assert {s.member for s in season} == {"r-0", "r-1", "b-0"}

    assert await scorer.close_challenges(today=date(2026, 11, 30)) == []  # still running
    # Three days to settle: the usage report still revalidates the last days of November.
    assert await scorer.close_challenges(today=date(2026, 12, 3)) == []
    completed = await scorer.close_challenges(today=date(2026, 12, 4))
    by_challenge = {(c.challenge, c.rank): c.winner for c in completed}
    assert by_challenge[("nov-rate", 1)] == rate[0].member
    assert by_challenge[("nov-rate", 2)] == rate[1].member
    assert by_challenge[("nov-apps", 1)] == apps[0].member
    assert await scorer.close_challenges(today=date(2026, 12, 5)) == []

    rows = [r for r in await ledger_rows(engine) if r[1] == "challenge"]
    assert len(rows) == len(completed)
    sub = await js.pull_subscribe("awards.challenge", durable="t-challenge", stream="AWARDS")
    announced = [e.data for m in await sub.fetch(20, timeout=2) for e in decode(m)[0]]
    assert all(isinstance(a, ChallengeCompleted) for a in announced)
    assert len(announced) == len(completed)


async def test_activity_arriving_late_in_the_window_still_decides_the_winner(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    events = [person("r-0", "Red"), person("b-0", "Blue")]
    events += [activity("r-0", 27, App.WORD), activity("r-0", 28, App.EXCEL)]
    events += [activity("b-0", 27, App.WORD)]
    await feed(js, events)
    await drain(js, scorer)
    assert await scorer.close_challenges(today=date(2026, 12, 1)) == []

    # The report of December 2nd revalidates November 30th: Blue used three more apps.
    late = [activity("b-0", 30, app) for app in (App.TEAMS, App.OUTLOOK, App.EXCEL)]
    await feed(js, late)
    await drain(js, scorer)
    completed = await scorer.close_challenges(today=date(2026, 12, 4))
    winners = {(c.challenge, c.rank): c.winner for c in completed}
    assert winners[("nov-apps", 1)] == "b-0"
    assert winners[("nov-apps", 2)] == "r-0"
