"""The hand-built awards.points event is the document the shared contract describes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.scoring.announcements import award_event, points_event
from services.scoring.domain.model import Award, AwardKind
from services.scoring.store.directory import Membership
from shared.events import CloudEvent, PointsAwarded, parse_event


def test_points_event_matches_the_pydantic_envelope() -> None:
    award = Award(
        key="points.prompt|v3|abc",
        kind=AwardKind.POINTS,
        rule="points.prompt",
        version=3,
        person="p-1",
        day=date(2026, 11, 2),
        at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        points=4,
    )
    member = Membership("Red", None, licensed=True, removed=False)
    identity, body = points_event(award, member, 40, "2026-11-02T09:00:01+00:00")
    parsed = parse_event(body)
    expected_payload = award_event(award, member, 40)
    assert isinstance(expected_payload, PointsAwarded)
    expected = CloudEvent.wrap(
        expected_payload, source="uptake/scoring", time=datetime(2026, 11, 2, 9, 0, 1, tzinfo=UTC)
    )
    assert identity == expected.id
    assert parsed == parse_event(expected.to_bytes())
