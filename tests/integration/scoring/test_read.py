"""Profiles and explanations the api shows, read from the real ledger."""

from __future__ import annotations

from datetime import date

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import read
from services.scoring.scorer import Scorer
from shared.events import ActivityKind, App
from tests.integration.scoring.conftest import TZ, activity, drain, feed, person


async def test_profile_and_explanation(
    js: JetStreamContext, engine: AsyncEngine, scorer: Scorer
) -> None:
    # Mon 2 .. Wed 4 active; Thu 5 missed (one freeze bridges it); prompts on Fri 6 hit
    # the cap of 20; Mon 9 missed too: a second miss within ten working days breaks the
    # streak, and only Friday's run, with Monday bridged, goes on.
    events = [person("p-a", "Red")]
    events += [activity("p-a", day, App.WORD) for day in (2, 3, 4)]
    events += [activity("p-a", 3, App.EXCEL), activity("p-a", 4, App.OUTLOOK)]
    events += [
        activity("p-a", 6, App.TEAMS, ActivityKind.PROMPT, f"i-{n}", hour=9 + n) for n in range(8)
    ]
    await feed(js, events)
    await drain(js, scorer)

    profile = await read.profile(engine, "p-a", TZ, today=date(2026, 11, 6))
    assert profile is not None
    assert profile.points == 10 + 20 + 20 + 20
    assert (profile.level.level, profile.level.next_level) == (2, None)
    assert {b.id for b in profile.badges} == {"first-word", "explorer-3", "streak-3", "habit"}
    assert (profile.streak.best, profile.streak.current, profile.streak.freezes_used) == (4, 4, 1)
    assert profile.habit.active_days == 4 and profile.habit.reached
    assert profile.active_days == 4
    assert profile.tier.id in {"novice", "low", "habitual", "power"}
    assert await read.profile(engine, "p-nobody", TZ) is None

    day = await read.explain(engine, "p-a", date(2026, 11, 6), TZ)
    assert day.points == 20 and day.daily_cap == 20
    paid = [line for line in day.lines if line.paid]
    capped = [line for line in day.lines if not line.paid]
    assert len(paid) == 7 and len(capped) == 1
    assert "daily cap of 20 reached" in capped[0].reason
    assert "streak of 4 working days since 2026-11-02, 1 freeze(s) used" in day.notes

    outlook = await read.explain(engine, "p-a", date(2026, 11, 9), TZ)
    assert outlook.lines == []
    assert "no Copilot activity recorded on this day" in outlook.notes
    assert any(note.startswith("bonus outlook-week: x2") for note in outlook.notes)
    assert "streak broken on 2026-11-09 after 4 working days" in outlook.notes
    assert "streak of 1 working days since 2026-11-06, 1 freeze(s) used" in outlook.notes
    later = await read.profile(engine, "p-a", TZ, today=date(2026, 11, 10))
    assert later is not None and later.streak.current == 1 and later.streak.best == 4
    gone = await read.profile(engine, "p-a", TZ, today=date(2026, 11, 11))
    assert gone is not None and gone.streak.current == 0 and gone.streak.best == 4
    broken = await read.explain(engine, "p-a", date(2026, 11, 10), TZ)
    assert "streak broken on 2026-11-10 after 1 working days" in broken.notes
