"""Claim codes over HTTP: admins make and download batches; each code is single-use,
expires, pays once per person and batch; guessing is slowed; only hashes are stored."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from services.api.community import claims
from shared.events import RecognitionKind
from tests.integration.api.community_world import Actor, Community, community, new_id  # noqa: F401

pytestmark = pytest.mark.asyncio


def batch(**fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "title": "Copilot basics quiz",
        "points": 40,
        "count": 3,
        "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    } | fields


async def make(community: Community, admin: Actor, body: dict[str, Any]) -> Any:  # noqa: F811
    return await community.client.post("/api/admin/claim-codes", json=body, headers=admin.headers)


async def redeem(community: Community, who: Actor, code: str) -> Any:  # noqa: F811
    return await community.client.post("/api/claims", json={"code": code}, headers=who.headers)


async def test_an_admin_makes_a_batch_downloads_it_and_a_retry_is_the_same_batch(
    community: Community,  # noqa: F811
) -> None:
    admin = await community.person("Ada", roles=["Admin"])
    body = batch()
    made = await make(community, admin, body)
    again = await make(community, admin, body)
    assert (made.status_code, again.status_code) == (201, 200)
    codes = made.json()["codes"]
    assert len(codes) == len(set(codes)) == 3 and again.json()["codes"] == codes
    assert (await make(community, admin, body | {"points": 50})).status_code == 409
    csv_answer = await community.client.get(made.json()["download"], headers=admin.headers)
    assert csv_answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_answer.text)))
    assert [row["code"] for row in rows] == codes
    assert {row["redeemed"] for row in rows} == {"no"}
    listed = (await community.client.get("/api/admin/claim-codes", headers=admin.headers)).json()
    assert [(b["id"], b["count"], b["redeemed"]) for b in listed] == [(body["id"], 3, 0)]
    async with community.engine.connect() as conn:
        stored = " ".join(
            str(value)
            for row in (await conn.execute(text("SELECT * FROM api_claim_code"))).all()
            for value in row
        )
    assert not any(claims.normalise(code) in stored or code in stored for code in codes)


async def test_a_code_pays_once_to_one_person_and_a_person_once_per_batch(
    community: Community,  # noqa: F811
) -> None:
    admin = await community.person("Ada", roles=["Admin"])
    ann, bob = await community.person("Ann"), await community.person("Bob")
    body = batch()
    codes = (await make(community, admin, body)).json()["codes"]
    first = await redeem(community, ann, codes[0].lower().replace("-", " "))
    assert first.status_code == 200
    assert (first.json()["title"], first.json()["points"]) == ("Copilot basics quiz", 40)
    assert (await redeem(community, ann, codes[0])).status_code == 200  # a retry
    assert (await redeem(community, bob, codes[0])).status_code == 409  # used by Ann
    assert (await redeem(community, ann, codes[1])).status_code == 409  # one per batch
    assert (await redeem(community, bob, codes[1])).status_code == 200
    grants = await community.grants()
    assert {g: (r.person, r.kind, r.points) for g, r in grants.items()} == {
        f"claim:{body['id']}:{ann.person}": (ann.person, RecognitionKind.CLAIM.value, 40),
        f"claim:{body['id']}:{bob.person}": (bob.person, RecognitionKind.CLAIM.value, 40),
    }
    listed = (await community.client.get("/api/admin/claim-codes", headers=admin.headers)).json()
    assert listed[0]["redeemed"] == 2


async def test_an_expired_code_pays_nothing(community: Community) -> None:  # noqa: F811
    admin = await community.person("Ada", roles=["Admin"])
    ann = await community.person("Ann")
    body = batch(expires_at=(datetime.now(UTC) + timedelta(seconds=2)).isoformat())
    codes = (await make(community, admin, body)).json()["codes"]
    async with community.engine.begin() as conn:  # the batch ran out meanwhile
        await conn.execute(
            text("UPDATE api_claim_batch SET expires_at = :at"),
            {"at": datetime.now(UTC) - timedelta(minutes=1)},
        )
    assert (await redeem(community, ann, codes[0])).status_code == 410
    assert await community.grants() == {}


async def test_guessing_is_slowed_down(community: Community) -> None:  # noqa: F811
    admin = await community.person("Ada", roles=["Admin"])
    guesser, other = await community.person("Gus"), await community.person("Olga")
    codes = (await make(community, admin, batch())).json()["codes"]
    for n in range(10):
        assert (await redeem(community, guesser, f"AAAA-BBBB-{n:04d}")).status_code == 404
    limited = await redeem(community, guesser, codes[0])
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 3601
    assert (await redeem(community, other, codes[0])).status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"count": 0},
        {"count": 1001},
        {"points": -1},
        {"points": 10_001},
        {"title": ""},
        {"expires_at": "2020-01-01T00:00:00+00:00"},
        {"expires_at": "2030-01-01T00:00:00"},
    ],
)
async def test_invalid_batches_are_422(community: Community, fields: dict[str, Any]) -> None:  # noqa: F811
    admin = await community.person("Ada", roles=["Admin"])
    assert (await make(community, admin, batch(**fields))).status_code == 422


async def test_only_admins_make_and_download_codes(community: Community) -> None:  # noqa: F811
    admin = await community.person("Ada", roles=["Admin"])
    employee = await community.person("Emma")
    made = (await make(community, admin, batch())).json()
    assert (await make(community, employee, batch())).status_code == 403
    for url in ("/api/admin/claim-codes", made["download"]):
        assert (await community.client.get(url, headers=employee.headers)).status_code == 403
        assert (await community.client.get(url)).status_code == 401
    missing = f"/api/admin/claim-codes/{new_id()}/codes.csv"
    assert (await community.client.get(missing, headers=admin.headers)).status_code == 404
