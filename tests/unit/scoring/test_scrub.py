"""Taking one pseudonym out of notify's JSON facts."""

from __future__ import annotations

from services.scoring.scrub import scrub


def test_a_record_about_the_person_is_theirs() -> None:
    facts = {"kind": "badge", "person": "p-a", "team": "Red", "badges": ["x"]}

    assert scrub(facts, "p-a") == (facts, True)


def test_a_digest_loses_only_their_entries() -> None:
    facts = {"kind": "weekly", "habit_people": ["p-a", "p-b"], "top": [{"people": ["p-a"]}]}

    cleaned, owned = scrub(facts, "p-a")

    assert not owned
    assert cleaned == {"kind": "weekly", "habit_people": ["p-b"], "top": [{"people": []}]}


def test_a_nested_field_naming_them_makes_it_theirs() -> None:
    assert scrub({"winners": [{"winner": "p-a", "rank": 1}]}, "p-a")[1] is True
    assert scrub({"winners": [{"winner": "p-b", "rank": 1}]}, "p-a") == (
        {"winners": [{"winner": "p-b", "rank": 1}]},
        False,
    )
