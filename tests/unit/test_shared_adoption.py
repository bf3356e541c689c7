"""The one definition of "active", and a tenant-wide figure that never counts a human twice."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import hypothesis.strategies as st
from hypothesis import given

from shared.adoption import people_adoption, tenant_adoption, window

TODAY = date(2026, 11, 26)


def test_the_window_is_seven_days_today_included() -> None:
    within = window(TODAY)
    assert (within.since, within.until, within.days) == (date(2026, 11, 20), TODAY, 7)
    assert within.contains(date(2026, 11, 20)) and within.contains(TODAY)
    assert not within.contains(date(2026, 11, 19)) and not within.contains(date(2026, 11, 27))


def test_only_licensed_people_count_and_the_rate_stays_within_one() -> None:
    figure = people_adoption({"a", "b", "c", "d"}, ["a", "a", "b", "stranger"], window(TODAY))
    assert (figure.licensed, figure.active, figure.rate) == (4, 2, 0.5)
    assert people_adoption(set(), ["a"], window(TODAY)).rate == 0.0


def test_no_tenant_wide_figure_while_every_report_row_joined_a_person() -> None:
    people = people_adoption({"a"}, ["a"], window(TODAY))
    assert tenant_adoption(people, 0, 0) is None


@dataclass(frozen=True)
class Human:
    """Someone in the tenant, and what Uptake can observe of them."""

    in_directory: bool  # a licensed person in the directory
    prompts: bool  # active in the window through the interaction history (needs the directory)
    report_active: bool  # active in the window according to the usage report


humans = st.builds(Human, st.booleans(), st.booleans(), st.booleans())


@given(population=st.lists(humans, max_size=40), concealed=st.booleans(), seed=st.integers())
def test_the_tenant_wide_figure_never_counts_a_human_twice(
    population: list[Human], concealed: bool, seed: int
) -> None:
    licensed: set[str] = set()
    person_facts: list[str] = []  # people with a fact in the window, as often as they have one
    concealed_ids: set[str] = set()
    unknown_ids: set[str] = set()
    truly_active = 0
    for number, human in enumerate(population):
        person = f"p-{number}"
        if human.in_directory:
            licensed.add(person)
            if human.prompts:
                person_facts += [person, person]
        active = human.report_active or (human.in_directory and human.prompts)
        truly_active += active
        if not human.report_active:
            continue
        if concealed:
            concealed_ids.add(f"r-{number}")  # a hash: nobody can tell whose
        elif human.in_directory:
            person_facts.append(person)  # the row joined the person
        else:
            unknown_ids.add(f"r-{number}")  # a name the directory does not know
    random.Random(seed).shuffle(person_facts)  # arrival order and repeats do not matter

    people = people_adoption(licensed, person_facts, window(TODAY))
    tenant = tenant_adoption(people, len(concealed_ids), len(unknown_ids))

    if tenant is None:
        assert people.active == truly_active
        return
    assert people.active <= tenant.active <= truly_active  # a lower bound: nobody twice
    assert tenant.active >= len(concealed_ids) + len(unknown_ids)
    if not concealed:
        assert tenant.active == truly_active  # names revealed: exact
    assert tenant.licensed == len(licensed) + len(unknown_ids)
