"""Interaction items, directory users and report facts as events."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from services.ingest.directory import merge, person_event, team_of
from services.ingest.identity import ERASED, ReportIdentities, Unattributed, report_identity
from services.ingest.interactions import app_of, prompt_event
from shared.events import (
    ActivityKind,
    App,
    CloudEvent,
    CopilotActivity,
    SignalSource,
    UnattributedActivity,
    UnattributedReason,
    parse_event,
)
from shared.ids import event_id, pseudonym

FIXTURES = Path(__file__).parent / "fixtures"
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(
    ("app_class", "app"),
    [
        ("IPM.SkypeTeams.Message.Copilot.Word", App.WORD),
        ("IPM.SkypeTeams.Message.Copilot.Excel", App.EXCEL),
        ("IPM.SkypeTeams.Message.Copilot.PowerPoint", App.POWERPOINT),
        ("IPM.SkypeTeams.Message.Copilot.Outlook", App.OUTLOOK),
        ("IPM.SkypeTeams.Message.Copilot.Teams", App.TEAMS),
        ("IPM.SkypeTeams.Message.Copilot.OneNote", App.ONENOTE),
        ("IPM.SkypeTeams.Message.Copilot.Loop", App.LOOP),
        ("IPM.SkypeTeams.Message.Copilot.BizChat", App.CHAT),
        ("IPM.SkypeTeams.Message.Copilot.Forms", App.OTHER),
        (None, App.OTHER),
    ],
)
def test_app_class_mapping(app_class: str | None, app: App) -> None:
    assert app_of(app_class) == app


def prompt(item: dict[str, Any]) -> CopilotActivity | None:
    encoded = prompt_event(item, "p-x", BRUSSELS, "2026-03-02T06:00:00+00:00")
    if encoded is None:
        return None
    event = parse_event(encoded.body)
    assert event.id == encoded.id
    assert isinstance(event.data, CopilotActivity)
    return event.data


def test_user_prompt_fixture_becomes_a_prompt_event_without_its_text() -> None:
    [item] = orjson.loads((FIXTURES / "ai-interactions.user-prompt.json").read_bytes())["value"]
    encoded = prompt_event(item, "p-x", BRUSSELS, "2026-03-02T06:00:00+00:00")
    assert encoded is not None and item["body"]["content"].encode() not in encoded.body
    event = prompt(item)
    assert event is not None
    assert (event.app, event.kind, event.source) == (
        App.CHAT,
        ActivityKind.PROMPT,
        SignalSource.INTERACTION_HISTORY,
    )
    assert event.interaction_id == "1764008994427"
    assert event.occurred_at is not None and event.occurred_at.isoformat().startswith(
        "2025-11-24T18:29:54.427"
    )


def test_date_is_the_organisation_local_date() -> None:
    item = {"id": "1", "interactionType": "userPrompt", "createdDateTime": "2026-03-01T23:30:00Z"}
    event = prompt(item)
    assert event is not None and event.date == date(2026, 3, 2)


def test_ai_responses_are_skipped() -> None:
    [item] = orjson.loads((FIXTURES / "ai-interactions.ai-response.json").read_bytes())["value"]
    assert prompt(item) is None


def test_prompt_without_a_usable_time_is_an_error() -> None:
    with pytest.raises(ValueError):
        prompt({"id": "1", "interactionType": "userPrompt", "createdDateTime": "x"})


def test_delta_update_keeps_what_it_does_not_repeat() -> None:
    full = merge(
        None,
        {
            "id": "u1",
            "userPrincipalName": "a@c.be",
            "displayName": "A",
            "department": "Financiën",
            "officeLocation": "Gent",
            "assignedLicenses": [{"skuId": "SKU-COPILOT"}],
        },
        ["sku-copilot"],
    )
    assert full["licensed"] is True
    update = merge(
        full, {"id": "u1", "jobTitle": "Analist", "assignedLicenses": []}, ["sku-copilot"]
    )
    event = person_event(update, "k")
    assert event.department == "Financiën" and event.team == "Financiën / Gent"
    assert event.job_title == "Analist" and event.licensed is False
    removed = person_event(merge(update, {"id": "u1", "@removed": {"reason": "deleted"}}, []), "k")
    assert removed.removed is True and removed.person == pseudonym("u1", "k")


def test_team_falls_back_to_department() -> None:
    assert team_of("Sales", None) == "Sales" and team_of(None, "Gent") is None


def test_report_fact_id_is_the_event_id() -> None:
    activity = CopilotActivity(
        person="p-1",
        app=App.WORD,
        kind=ActivityKind.ACTIVE_DAY,
        date=date(2026, 7, 1),
        source=SignalSource.USAGE_REPORT,
    )
    fact = event_id(
        CopilotActivity.event_type, "p-1", App.WORD, ActivityKind.ACTIVE_DAY, date(2026, 7, 1), None
    )
    assert CloudEvent.wrap(activity, source="t").id == fact


def test_only_rows_joined_to_the_directory_become_people() -> None:
    ids = ReportIdentities("k", {"alice@contoso.be": "oid-a"})
    assert ids.resolve("Alice@Contoso.be") == pseudonym("oid-a", "k")
    concealed = ids.resolve("DC8C64D6EC3A3AA17481D7E5EB5B68A6")
    unknown = ids.resolve("ghost@contoso.be")
    assert isinstance(concealed, Unattributed) and isinstance(unknown, Unattributed)
    assert concealed.reason is UnattributedReason.CONCEALED
    assert unknown.reason is UnattributedReason.UNKNOWN_USER
    # report identities live in a namespace of their own: never a person id
    for who in (concealed, unknown):
        assert who.report_identity.startswith("r-") and not who.report_identity.startswith("p-")
    assert unknown.report_identity == ids.unattributed_name("GHOST@contoso.be")
    assert ids.resolve("DC8C64D6EC3A3AA17481D7E5EB5B68A6") == concealed
    assert (ids.joined, ids.concealed, ids.unknown) == (1, 1, 1)


def test_rows_of_erased_people_are_withheld_by_name_or_by_person() -> None:
    erased = frozenset({report_identity("gone@contoso.be", "k"), pseudonym("oid-b", "k")})
    ids = ReportIdentities(
        "k", {"alice@contoso.be": "oid-a", "bob@contoso.be": "oid-b"}, erased=erased
    )
    assert ids.resolve("GONE@contoso.be") is ERASED  # unknown to the directory: by name
    assert ids.resolve("bob@contoso.be") is ERASED  # a directory user: by person
    assert ids.resolve("alice@contoso.be") == pseudonym("oid-a", "k")
    assert isinstance(ids.resolve("ghost@contoso.be"), Unattributed)
    assert (ids.joined, ids.unknown, ids.withheld) == (1, 1, 2)


def test_report_identities_are_keyed() -> None:
    name = "DC8C64D6EC3A3AA17481D7E5EB5B68A6"
    assert report_identity(name, "k1") != report_identity(name, "k2")
    assert report_identity(name, "k1") == report_identity(name.lower(), "k1")


def test_fast_unattributed_encoding_equals_the_model_envelope() -> None:
    from datetime import UTC, datetime

    from services.ingest.encoding import SOURCE, encode_unattributed

    now = datetime(2026, 3, 2, 6, 0, 0, tzinfo=UTC)
    fields: dict[str, Any] = {
        "report_identity": "r-0123456789abcdef01234567",
        "reason": UnattributedReason.CONCEALED,
        "app": App.WORD,
        "epoch": 3,
    }
    model = CloudEvent.wrap(
        UnattributedActivity(date=date(2026, 3, 1), **fields), source=SOURCE, time=now
    )
    fast = encode_unattributed(day=date(2026, 3, 1), time=now.isoformat(), **fields)
    assert fast.id == model.id and fast.subject == model.data.nats_subject()
    assert parse_event(fast.body) == parse_event(model.to_bytes())
    fast_fields, model_fields = orjson.loads(fast.body), orjson.loads(model.to_bytes())
    assert fast_fields.pop("time") != "" and model_fields.pop("time") != ""
    assert fast_fields == model_fields


@pytest.mark.parametrize("with_interaction", [False, True])
def test_fast_encoding_equals_the_model_envelope(with_interaction: bool) -> None:
    from datetime import UTC, datetime

    from services.ingest.encoding import SOURCE, encode_activity

    moment = datetime(2026, 3, 1, 23, 30, 0, 427000, tzinfo=UTC)
    now = datetime(2026, 3, 2, 6, 0, 0, tzinfo=UTC)
    fields: dict[str, Any] = {
        "person": "p-abc",
        "app": App.EXCEL,
        "kind": ActivityKind.PROMPT if with_interaction else ActivityKind.ACTIVE_DAY,
        "source": SignalSource.INTERACTION_HISTORY,
        "occurred_at": moment if with_interaction else None,
        "interaction_id": "1764008994427" if with_interaction else None,
    }
    model = CloudEvent.wrap(
        CopilotActivity(date=date(2026, 3, 2), **fields), source=SOURCE, time=now
    )
    fast = encode_activity(day=date(2026, 3, 2), time=now.isoformat(), **fields)
    assert fast.id == model.id and fast.subject == model.data.nats_subject()
    assert parse_event(fast.body) == parse_event(model.to_bytes())
    assert set(orjson.loads(fast.body)) == set(orjson.loads(model.to_bytes()))


def test_prompt_encoding_equals_the_general_one() -> None:
    from datetime import UTC, datetime

    from services.ingest.encoding import encode_activity, encode_prompt

    moment = datetime(2026, 3, 1, 23, 30, 0, 427000, tzinfo=UTC)
    common: dict[str, Any] = {
        "person": "p-abc",
        "app": App.LOOP,
        "day": date(2026, 3, 2),
        "occurred_at": moment,
        "interaction_id": "1764008994427",
        "time": "2026-03-02T06:00:00+00:00",
    }
    general = encode_activity(
        kind=ActivityKind.PROMPT, source=SignalSource.INTERACTION_HISTORY, **common
    )
    assert encode_prompt(**common) == general


def test_the_local_day_is_right_on_both_sides_of_midnight() -> None:
    late = {
        "id": "1",
        "interactionType": "userPrompt",
        "createdDateTime": "2026-07-01T21:59:59.999Z",
    }
    later = {**late, "id": "2", "createdDateTime": "2026-07-01T22:00:00.000Z"}
    first, second = prompt(late), prompt(later)  # Brussels is UTC+2 in summer
    assert first is not None and first.date == date(2026, 7, 1)
    assert second is not None and second.date == date(2026, 7, 2)


@pytest.mark.parametrize("removed", [False, True])
def test_fast_person_encoding_equals_the_model_envelope(removed: bool) -> None:
    from datetime import UTC, datetime

    from services.ingest.directory import person_fields
    from services.ingest.encoding import SOURCE, encode_person

    user = merge(
        None,
        {
            "id": "u1",
            "displayName": "An Peeters",
            "department": "Sales",
            "officeLocation": None,
            "assignedLicenses": [{"skuId": "sku"}],
            **({"@removed": {"reason": "deleted"}} if removed else {}),
        },
        ["sku"],
    )
    now = datetime(2026, 3, 2, 6, 0, 0, 123456, tzinfo=UTC)
    fields = person_fields(user, "k")
    model = CloudEvent.wrap(person_event(user, "k"), source=SOURCE, time=now)
    fast = encode_person(**fields, time=now.isoformat(), observed_at=model.data.observed_at)
    assert fast.id == model.id and fast.subject == model.data.nats_subject()
    assert parse_event(fast.body) == parse_event(model.to_bytes())
    assert set(orjson.loads(fast.body)["data"]) == set(orjson.loads(model.to_bytes())["data"])
