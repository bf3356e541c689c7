"""Quiet hours, response classification, channel routing and the Teams size guard."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from services.notify.channels import Channel, load_channels, route
from services.notify.delivery import classify, retry_after_seconds
from services.notify.engage import EngageSender
from services.notify.facts import BadgeFacts
from services.notify.politeness import QuietHours
from services.notify.teams import TeamsSender
from shared.settings import NotifySettings

BRUSSELS = ZoneInfo("Europe/Brussels")
QUIET = QuietHours.parse(BRUSSELS, "19:00", "08:30", weekends=True)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)  # type: ignore[arg-type,misc]


def test_quiet_hours_hold_evenings_nights_and_weekends_until_the_next_working_morning() -> None:
    assert QUIET.allows(local(2026, 11, 25, 10, 0))  # Wednesday morning
    assert not QUIET.allows(local(2026, 11, 25, 19, 0))
    assert not QUIET.allows(local(2026, 11, 26, 7, 59))
    assert QUIET.next_open(local(2026, 11, 25, 22, 0)) == local(2026, 11, 26, 8, 30)
    assert QUIET.next_open(local(2026, 11, 26, 6, 0)) == local(2026, 11, 26, 8, 30)
    friday_night = local(2026, 11, 27, 20, 0)
    assert QUIET.next_open(friday_night) == local(2026, 11, 30, 8, 30)  # Monday
    assert not QUIET.allows(local(2026, 11, 28, 12, 0))  # Saturday noon
    assert QUIET.next_open(local(2026, 11, 25, 10, 0)) == local(2026, 11, 25, 10, 0)


def test_quiet_hours_can_be_switched_off() -> None:
    always = QuietHours.parse(BRUSSELS, "00:00", "00:00", weekends=False)
    assert always.allows(local(2026, 11, 28, 3, 0))


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (202, "sent"),
        (200, "sent"),
        (429, "retry"),
        (503, "retry"),
        (500, "retry"),
        (408, "retry"),
        (400, "dead"),
        (403, "dead"),
        (404, "dead"),
        (413, "dead"),
    ],
)
def test_classify(status: int, outcome: str) -> None:
    response = httpx.Response(status, headers={"Retry-After": "3"})
    delivery = classify(response)
    assert delivery.outcome == outcome
    if status == 429:
        assert delivery.retry_after == 3.0


def test_channels_route_by_department_and_kind() -> None:
    settings = NotifySettings(
        notify_channels=json.dumps(
            [
                {
                    "name": "company",
                    "type": "teams",
                    "url": "https://x/y?sig=a",
                    "language": "en",
                    "kinds": ["weekly", "spotlight", "challenge", "burst"],
                },
                {
                    "name": "finance",
                    "type": "teams",
                    "url": "https://x/z?sig=b",
                    "departments": ["Finance"],
                },
                {"name": "community", "type": "engage", "group_id": "123", "topics": ["Copilot"]},
            ]
        )
    )
    channels = load_channels(settings)
    assert [c.name for c in route(channels, "badge", "Finance")] == ["finance", "community"]
    assert [c.name for c in route(channels, "badge", "Legal")] == ["community"]
    assert [c.name for c in route(channels, "challenge", "Legal")] == ["company", "community"]
    assert "sig=a" not in repr(channels[0])  # the webhook secret stays out of reprs and logs


def test_channel_configuration_is_checked() -> None:
    with pytest.raises(ValidationError):
        Channel(name="t", type="teams")
    with pytest.raises(ValidationError):
        Channel(name="e", type="engage")
    basic = load_channels(
        NotifySettings(
            teams_webhook_url=SecretStr("https://a/b?sig=c"),
            engage_group_id="42",
            notify_channels=None,
            notify_channels_file=None,
        )
    )
    assert [(c.name, c.type) for c in basic] == [("teams", "teams"), ("engage", "engage")]


async def test_teams_sender_refuses_a_message_over_28kb_without_posting() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(202)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        sender = TeamsSender(http)
        channel = Channel(name="t", type="teams", url=SecretStr("https://h/w?sig=s"))
        huge = BadgeFacts(
            person="p", team="T", badge="b", title="x" * 40000, activity_date=date(2026, 11, 23)
        )
        delivery = await sender.send(channel, huge, {})
        assert delivery.outcome == "dead" and "exceeds" in delivery.detail
        assert requests == []
        small = BadgeFacts(
            person="p", team="T", badge="b", title="Explorer", activity_date=date(2026, 11, 23)
        )
        assert (await sender.send(channel, small, {})).outcome == "sent"
        assert json.loads(requests[0].content)["type"] == "message"


def test_public_holidays_of_the_configured_country_are_quiet_days() -> None:
    belgian = QuietHours.parse(BRUSSELS, "19:00", "08:30", weekends=True, country="BE")
    christmas = local(2026, 12, 25, 10, 0)  # a Friday
    assert not belgian.allows(christmas)
    assert belgian.next_open(christmas) == local(2026, 12, 28, 8, 30)  # the Monday after
    assert QUIET.allows(christmas)  # without a country, only weekends are closed


def test_channels_load_from_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(
        "channels:\n"
        "  - {name: hr, type: teams, url: 'https://h/w?sig=x', departments: [HR], language: en}\n"
        "  - {name: all, type: engage, group_id: '42', kinds: [weekly, spotlight]}\n"
    )
    channels = load_channels(NotifySettings(notify_channels=None, notify_channels_file=path))
    assert [(c.name, c.language) for c in channels] == [("hr", "en"), ("all", "nl")]
    assert route(channels, "weekly", "HR")[1].name == "all"
    assert [c.name for c in route(channels, "badge", "HR")] == ["hr"]


async def test_teams_sender_starts_at_most_four_requests_a_second_per_webhook() -> None:
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(time.monotonic())
        return httpx.Response(202)

    facts = BadgeFacts(person="p", badge="b", title="Explorer", activity_date=date(2026, 11, 23))
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        sender = TeamsSender(http, per_second=4)
        channel = Channel(name="t", type="teams", url=SecretStr("https://h/w?sig=s"))
        other = Channel(name="u", type="teams", url=SecretStr("https://h/other?sig=s"))
        for _ in range(6):
            assert (await sender.send(channel, facts, {})).outcome == "sent"
        first_other = len(starts)
        assert (await sender.send(other, facts, {})).outcome == "sent"
    same = starts[:first_other]
    assert all(same[i] - same[i - 4] >= 1.0 - 1e-3 for i in range(4, len(same)))
    assert starts[first_other] - same[-1] < 1.0  # another webhook has its own budget


async def test_engage_sender_keeps_to_its_message_budget() -> None:
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(time.monotonic())
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        return httpx.Response(201, json={"messages": [{"id": 1}]})

    class Token:
        async def token(self) -> str | None:
            return "t"

        def version(self) -> float:
            return 1.0

    facts = BadgeFacts(person="p", badge="b", title="Explorer", activity_date=date(2026, 11, 23))
    community = Channel(name="c", type="engage", group_id="7")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        sender = EngageSender(http, "https://engage/api/v1", Token(), messages=2, window=0.3)
        for _ in range(5):
            assert (await sender.send(community, facts, {})).outcome == "sent"
    assert all(starts[i] - starts[i - 2] >= 0.3 - 1e-3 for i in range(2, len(starts)))


def test_notify_language_may_be_french_and_nothing_else_unknown() -> None:
    settings = NotifySettings(
        notify_language="fr", teams_webhook_url=SecretStr("https://h/w?sig=x"), engage_group_id="7"
    )
    assert [c.language for c in load_channels(settings)] == ["fr", "fr"]
    with pytest.raises(ValidationError):
        NotifySettings(notify_language="de")
    with pytest.raises(ValidationError):
        Channel(name="x", type="teams", url=SecretStr("https://h/w?sig=x"), language="de")
    with pytest.raises(ValidationError):
        NotifySettings(notify_fold_seconds=0)
