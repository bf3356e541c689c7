"""The organisation model: deterministic, varied, Belgian, with a lifecycle."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from services.sandbox.organisation import Organisation, build_organisation, summary

ANCHOR = dt.date(2025, 6, 18)


def org(size: int = 400, seed: int = 7) -> Organisation:
    return build_organisation(seed=seed, size=size, anchor=ANCHOR, weeks=8)


def test_same_seed_same_people_other_seed_other_people() -> None:
    assert org().people == org().people
    assert [p.id for p in org().people] != [p.id for p in org(seed=8).people]


@pytest.mark.parametrize("size", [10, 400])
def test_sizes_and_identities(size: int) -> None:
    people = org(size).people
    assert len(people) == size
    assert len({p.id for p in people}) == size
    assert all(uuid.UUID(p.id).version == 4 for p in people)
    upns = [p.user_principal_name for p in people]
    assert len(set(upns)) == size
    assert all(re.fullmatch(r"[a-z0-9.]+@contoso\.be", u) for u in upns)


def test_departments_teams_offices_and_names_are_varied() -> None:
    people = org(1000).people
    departments = {p.placement.department for p in people}
    assert {
        "Financiën",
        "Sales",
        "HR / Personeelszaken",
        "IT",
        "Klantendienst",
        "Marketing",
        "Juridische Zaken",
        "Operations",
    } <= departments
    assert {p.office_location for p in people} >= {"Gent", "Antwerpen", "Brussel", "Leuven"}
    assert len({(p.placement.department, p.placement.team) for p in people}) > 20
    surnames = {p.surname for p in people}
    assert {"Peeters", "Janssens"} & surnames and {"El Amrani", "Silva", "Nowak"} & surnames


def test_most_but_not_all_are_licensed() -> None:
    share = sum(p.licensed for p in org(1000).people) / 1000
    assert 0.75 < share < 0.97


def test_concealed_names_are_stable_32_hex_and_distinct() -> None:
    people = org().people
    assert all(re.fullmatch(r"[0-9A-F]{32}", p.concealed_upn) for p in people)
    assert all(p.concealed_upn != p.concealed_name for p in people)
    assert len({p.concealed_upn for p in people}) == len(people)
    assert [p.concealed_upn for p in people] == [p.concealed_upn for p in org().people]


def test_lifecycle_joiners_leavers_movers() -> None:
    model = org(2000)
    joiners = [p for p in model.people if p.joined]
    leavers = [p for p in model.people if p.left]
    movers = [p for p in model.people if p.move]
    assert joiners and leavers and movers
    joiner = joiners[0]
    assert joiner.joined is not None
    assert not joiner.present_on(joiner.joined - dt.timedelta(days=1))
    assert joiner.present_on(joiner.joined)
    leaver = leavers[0]
    assert leaver.left is not None and not leaver.present_on(leaver.left)
    mover = movers[0]
    assert mover.move is not None
    assert mover.placement_on(mover.move.date) != mover.placement_on(
        mover.move.date - dt.timedelta(days=1)
    )
    assert any(p.joined and p.joined > ANCHOR for p in joiners)  # future joiners for the clock


def test_summary_counts_add_up() -> None:
    model = org()
    result = summary(model, ANCHOR)
    departments = result["departments"]
    assert isinstance(departments, dict)
    assert sum(d["people"] for d in departments.values()) == result["people"]
    assert sum(d["licensed"] for d in departments.values()) == result["licensed"]
    assert all(sum(d["teams"].values()) == d["people"] for d in departments.values())
