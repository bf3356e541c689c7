"""Finding colleagues by name: signed-in people only, present and licensed, no scores."""

from __future__ import annotations

import pytest

from tests.integration.api.community_world import Community, community  # noqa: F401

pytestmark = pytest.mark.asyncio


async def test_finds_present_licensed_people_by_part_of_their_name(
    community: Community,  # noqa: F811
) -> None:
    me = await community.person("Ann Peeters", "Sales")
    await community.person("Jan Janssens", "Finance")
    await community.person("Janine Maes", "Legal")
    await community.person("Jan Unlicensed", "Sales", licensed=False)
    found = await community.client.get("/api/people/search?q=jan", headers=me.headers)
    assert found.status_code == 200
    assert [(hit["name"], hit["department"]) for hit in found.json()] == [
        ("Jan Janssens", "Finance"),
        ("Janine Maes", "Legal"),
    ]
    assert set(found.json()[0]) == {"id", "name", "department"}


async def test_names_that_start_with_the_query_come_first_and_at_most_ten(
    community: Community,  # noqa: F811
) -> None:
    me = await community.person("Searcher", "Sales")
    for i in range(12):
        await community.person(f"Anna Smith {i:02d}", "Sales")
    await community.person("Smithson Zoe", "Sales")
    found = (await community.client.get("/api/people/search?q=SMITH", headers=me.headers)).json()
    assert [hit["name"] for hit in found] == ["Smithson Zoe"] + [
        f"Anna Smith {i:02d}" for i in range(9)
    ]


async def test_the_caller_is_left_out_unless_asked_for(community: Community) -> None:  # noqa: F811
    me = await community.person("Lotte Claes")
    assert (
        await community.client.get("/api/people/search?q=lotte", headers=me.headers)
    ).json() == []
    mine = await community.client.get(
        "/api/people/search?q=lotte&include_me=true", headers=me.headers
    )
    assert [hit["id"] for hit in mine.json()] == [me.person]


async def test_wildcards_are_plain_text(community: Community) -> None:  # noqa: F811
    me = await community.person("Searcher")
    await community.person("Percy 100% Sure")
    await community.person("Other Person")
    found = await community.client.get("/api/people/search?q=%25%25", headers=me.headers)
    assert [hit["name"] for hit in found.json()] == []
    found = await community.client.get("/api/people/search?q=0%25", headers=me.headers)
    assert [hit["name"] for hit in found.json()] == ["Percy 100% Sure"]


@pytest.mark.parametrize("query", ["j", "", "x" * 101])
async def test_a_query_of_one_character_or_too_long_is_refused(
    community: Community,  # noqa: F811
    query: str,
) -> None:
    me = await community.person("Searcher")
    found = await community.client.get(f"/api/people/search?q={query}", headers=me.headers)
    assert found.status_code == 422


async def test_anonymous_callers_and_screens_cannot_search(community: Community) -> None:  # noqa: F811
    await community.person("Jan Janssens")
    assert (await community.client.get("/api/people/search?q=jan")).status_code == 401
    screen = await community.display_token()
    found = await community.client.get(
        "/api/people/search?q=jan", headers={"Authorization": f"Bearer {screen}"}
    )
    assert found.status_code == 403


@pytest.mark.parametrize("query", ["%00an", "ja%00n", "ja%0An", "%1Bjan"])
async def test_a_query_with_control_characters_is_refused_not_a_server_error(
    community: Community,  # noqa: F811
    query: str,
) -> None:
    """NUL cannot reach PostgreSQL at all; a name is one line of text."""
    me = await community.person("Searcher")
    found = await community.client.get(f"/api/people/search?q={query}", headers=me.headers)
    assert found.status_code == 422
    assert "control characters" in found.text
