"""The rules editor's endpoints through the gateway: the rule set in force as a model with
what its fields allow, a model written as the YAML that is stored, YAML read back as a
model, problems with the path of their field, names in the preview only where allowed,
and who may call them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scoring.domain.rules import parse_rules
from services.scoring.rulebook import default_source
from services.scoring.store.tables import StoredSignal
from shared.events import App
from shared.periods import local_date
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, team_of
from tests.integration.api.tenant import Tenant

EDITOR = [
    ("GET", "/api/admin/rules/model", None),
    ("POST", "/api/admin/rules/to-yaml", {"model": {"name": "x"}}),
    ("POST", "/api/admin/rules/from-yaml", {"source": "name: x"}),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def challenge(**fields: Any) -> dict[str, Any]:
    return {
        "id": "prompt-week",
        "title": {"nl": "Promptweek", "en": "Prompt week", "fr": "Semaine des invites"},
        "scope": "person",
        "metric": "active_days",
        "start": "2026-12-07",
        "end": "2026-12-11",
        **fields,
    }


async def test_only_admins_use_the_editor(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    issued = await client.post("/api/admin/display-tokens", json={"label": "Lobby"}, headers=admin)
    display = bearer(issued.json()["token"])
    employee = bearer(tenant.token())
    for method, url, body in EDITOR:
        assert (await client.request(method, url, json=body)).status_code == 401, url
        assert (await client.request(method, url, json=body, headers=display)).status_code == 403
        assert (await client.request(method, url, json=body, headers=employee)).status_code == 403
        assert (await client.request(method, url, json=body, headers=admin)).status_code == 200


async def test_the_model_before_and_after_a_publish_from_the_forms(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    before = (await client.get("/api/admin/rules/model", headers=admin)).json()
    assert before["version"] is None and before["source"] == default_source()
    assert parse_rules(yaml.safe_dump(before["model"])) == parse_rules(default_source())
    assert before["choices"]["apps"] == [app.value for app in App]
    assert before["choices"]["challenge_metrics"] == [
        "points",
        "active_days",
        "distinct_apps",
        "active_rate",
    ]
    assert before["limits"]["Challenge.winners"] == {"min": 1, "max": 100, "above": None}
    assert before["defaults"]["challenge"]["winners"] == 3

    model = before["model"]
    model["challenges"].append(challenge())
    written = await client.post("/api/admin/rules/to-yaml", json={"model": model}, headers=admin)
    draft = written.json()
    assert written.status_code == 200 and draft["ok"] and draft["problems"] == []
    assert "- id: prompt-week" in draft["source"]  # readable YAML, not JSON
    assert "start: 2026-12-07" in draft["source"]
    published = await client.post(
        "/api/admin/rules", json={"source": draft["source"], "note": "forms"}, headers=admin
    )
    assert published.status_code == 201

    after = (await client.get("/api/admin/rules/model", headers=admin)).json()
    assert after["version"] == 1 and after["source"] == draft["source"]
    assert after["model"]["challenges"][-1]["title"]["fr"] == "Semaine des invites"
    stored = (await client.get("/api/admin/rules", headers=admin)).json()
    assert stored["source"] == draft["source"] and stored["note"] == "forms"


async def test_problems_carry_the_path_of_their_field_and_no_edit_is_lost(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    model = (await client.get("/api/admin/rules/model", headers=admin)).json()["model"]
    model["challenges"] = [
        challenge(),
        challenge(id="later", start="2026-12-20", end="2026-12-10"),
        challenge(id="untitled", title={}),
        challenge(id="rate", metric="active_rate"),
    ]
    model["points"]["daily_cap"] = 0

    draft = await client.post("/api/admin/rules/to-yaml", json={"model": model}, headers=admin)
    answer = draft.json()

    assert draft.status_code == 200 and answer["ok"] is False
    paths = {p["path"]: p["message"] for p in answer["problems"]}
    assert "before start" in paths["challenges.1"]
    assert "at least one language" in paths["challenges.2.title"]
    assert "team or department" in paths["challenges.3"]
    assert "points.daily_cap" in paths
    kept = yaml.safe_load(answer["source"])  # the draft as sent, to keep editing
    assert kept["challenges"][1]["end"].isoformat() == "2026-12-10"
    assert kept["points"]["daily_cap"] == 0

    model["challenges"] = [challenge(title={"nl": "Alleen Nederlands"})]
    model["points"]["daily_cap"] = None
    gaps = await client.post("/api/admin/rules/to-yaml", json={"model": model}, headers=admin)
    assert gaps.json()["ok"] is True
    assert [w["path"] for w in gaps.json()["warnings"]] == ["challenges.0.title"]


async def test_yaml_comes_back_as_a_model_or_as_its_problems(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    read = await client.post(
        "/api/admin/rules/from-yaml", json={"source": default_source()}, headers=admin
    )
    assert read.status_code == 200 and read.json()["ok"]
    model = read.json()["model"]
    assert [c["id"] for c in model["challenges"]] == ["december-teams", "december-explorers"]
    assert model["points"]["per_app"] == {"chat": {"active_day": 5}}

    wrong = await client.post(
        "/api/admin/rules/from-yaml", json={"source": "points: {daily_cap: -1}"}, headers=admin
    )
    assert wrong.json()["ok"] is False and wrong.json()["model"] is None
    assert wrong.json()["problems"][0]["path"] == "points.daily_cap"
    broken = await client.post(
        "/api/admin/rules/from-yaml", json={"source": "points: [1,"}, headers=admin
    )
    assert broken.json()["problems"][0]["path"].startswith("line ")


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/admin/rules/to-yaml", {"model": ["not", "a", "mapping"]}),
        ("/api/admin/rules/to-yaml", {}),
        ("/api/admin/rules/to-yaml", {"model": "name: x"}),
        ("/api/admin/rules/from-yaml", {"source": ""}),
        ("/api/admin/rules/from-yaml", {"source": "x" * 60_001}),
        ("/api/admin/rules/from-yaml", {"source": "name: a\x00b"}),
    ],
)
async def test_bad_input_is_a_clear_422(
    client: httpx.AsyncClient, tenant: Tenant, url: str, body: dict[str, Any]
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    response = await client.post(url, json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_the_preview_names_only_whom_the_directory_allows(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    big = team_of("Finance Gent", 8, department="Finance", opted=2)  # six stay unnamed
    # Naming five of six would give away what the sixth scored.
    small = team_of("Legal", 6, department="Legal", opted=5)
    people = [p.person for p in [*big, *small]]
    await add_people(engine, [*big, *small])
    now = datetime.now(UTC)
    async with AsyncSession(engine) as session:
        for n, person in enumerate(people):
            moment = now - timedelta(days=n % 3)
            session.add(
                StoredSignal(
                    event_id=f"e-{person}",
                    person=person,
                    app="word",
                    kind="active_day",
                    day=local_date(moment, api_settings.tz),
                    at=moment,
                    source="usage_report",
                )
            )
        await session.commit()

    preview = await client.post(
        "/api/admin/rules/preview", json={"source": default_source()}, headers=admin
    )

    assert preview.status_code == 200
    names = {c["person"]: c["name"] for c in preview.json()["changes"]}
    assert set(names) == set(people)
    assert names["p-finance gent-0"] == "Finance Gent Member 0"
    assert names["p-finance gent-1"] == "Finance Gent Member 1"
    assert names["p-finance gent-5"] is None  # did not opt in
    assert {names[f"p-legal-{i}"] for i in range(6)} == {None}
