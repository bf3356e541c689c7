"""The small-group rule: a group, or what is left of it once its named members are taken out,
is shown only with at least the minimum number of people (or, for the remainder, nobody)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from shared.small_groups import GroupSizes, Membership, nameable, remainder_shown, shown, shown_team

TEAMS = st.sampled_from(["Alpha", "Beta", "Gamma", None])
DEPARTMENTS = st.sampled_from(["Sales", "Finance", None])
DIRECTORY = st.dictionaries(
    st.from_regex(r"p-[a-z0-9]{1,3}", fullmatch=True), st.tuples(TEAMS, DEPARTMENTS), max_size=30
)


def team(size: int, opted: int, name: str = "Alpha") -> tuple[dict[str, Membership], set[str]]:
    members: dict[str, Membership] = {f"{name}-{i}": (name, f"{name} dept") for i in range(size)}
    return members, {f"{name}-{i}" for i in range(opted)}


def named_among(
    opted: set[str], placed: dict[str, Membership], min_size: int = 5
) -> frozenset[str]:
    """``nameable`` where everyone placed is licensed."""
    return nameable(opted, placed, GroupSizes.of(placed.values()), min_size)


def unnamed_per_group(
    memberships: dict[str, Membership], named: frozenset[str]
) -> tuple[Counter[str], Counter[str]]:
    teams: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    for person, (t, d) in memberships.items():
        if person not in named:
            teams[t or ""] += 1
            departments[d or ""] += 1
    return teams, departments


def test_four_of_five_opted_in_names_nobody() -> None:
    members, opted = team(5, 4)
    assert named_among(opted, members) == frozenset()


def test_names_beside_enough_unnamed_colleagues_or_nobody_unnamed_stay() -> None:
    members, opted = team(10, 5)
    assert named_among(opted, members) == opted
    members, opted = team(5, 5)
    assert named_among(opted, members) == opted


def test_a_small_team_hides_nothing_about_itself_so_its_names_stay() -> None:
    # A team of three is never shown, so no total of it exists to subtract names from.
    members, opted = team(3, 2)
    assert named_among(opted, members) == opted


def test_withdrawing_in_one_group_can_withdraw_in_another() -> None:
    # Sales: all opted in. Alpha (in Sales) has one unnamed member among five, so Alpha's
    # names go; that leaves four unnamed in Sales, so Sales' names go too, Beta's included.
    members: dict[str, Membership] = {f"a{i}": ("Alpha", "Sales") for i in range(5)}
    members |= {f"b{i}": ("Beta", "Sales") for i in range(5)}
    opted = {*(f"a{i}" for i in range(4)), *(f"b{i}" for i in range(5))}
    assert named_among(opted, members) == frozenset()


def test_someone_without_a_licence_still_counted_in_the_total_keeps_the_names_back() -> None:
    # Five licensed members, all named; a sixth lost the licence but scoring still adds
    # their points to the team: naming the five would give away the sixth's points.
    members, opted = team(5, 5)
    placed = members | {"former": ("Alpha", "Alpha dept")}
    assert nameable(opted, placed, GroupSizes.of(members.values()), 5) == frozenset()


def test_thresholds() -> None:
    assert shown(5, 5) and not shown(4, 5) and not shown(0, 0)
    assert remainder_shown(0, 5) and remainder_shown(5, 5) and not remainder_shown(1, 5)
    sizes = GroupSizes.of([("Alpha", "Sales")] * 5 + [("Tiny", "Sales")])
    assert shown_team("Alpha", sizes, 5) == "Alpha"
    assert shown_team("Tiny", sizes, 5) is None and shown_team(None, sizes, 5) is None


@given(DIRECTORY, st.data(), st.integers(min_value=0, max_value=7))
def test_no_shown_group_is_left_with_a_few_unnamed_members(
    placed: dict[str, Membership], data: st.DataObject, min_size: int
) -> None:
    people = sorted(placed)
    opted = data.draw(st.sets(st.sampled_from(people))) if people else set()
    licensed = data.draw(st.sets(st.sampled_from(people))) if people else set()
    sizes = GroupSizes.of(where for p, where in placed.items() if p in licensed)
    named = nameable(opted, placed, sizes, min_size)

    assert named <= opted
    teams, departments = unnamed_per_group(placed, named)
    for group, size in sizes.teams.items():
        if shown(size, min_size):
            assert remainder_shown(teams[group], min_size), (group, teams[group])
    for group, size in sizes.departments.items():
        if shown(size, min_size):
            assert remainder_shown(departments[group], min_size), (group, departments[group])


@given(DIRECTORY, st.data(), st.integers(min_value=0, max_value=7))
def test_names_are_withdrawn_only_where_a_group_needs_it(
    placed: dict[str, Membership], data: st.DataObject, min_size: int
) -> None:
    opted = data.draw(st.sets(st.sampled_from(sorted(placed)))) if placed else set()
    sizes = GroupSizes.of(placed.values())
    named = nameable(opted, placed, sizes, min_size)
    # Nothing to protect: everyone keeps their name, whatever order the directory came in.
    again = nameable(named, dict(reversed(list(placed.items()))), sizes, min_size)
    assert again == named
    for person in opted - named:
        t, d = placed[person]
        assert sizes.team_shown(t, min_size) or sizes.department_shown(d, min_size)
