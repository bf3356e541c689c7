"""Who can help me: champions named only where the directory allows, others counted."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.api.activity import Usage
from services.api.champions.dashboard import department_view, figures
from services.api.champions.roster import roster
from services.api.champions.tables import Champion
from services.api.directory import Snapshot
from services.api.insights import Options
from shared.small_groups import Membership

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def champion(person: str, *departments: str, status: str = "approved") -> Champion:
    return Champion(
        person=person,
        status=status,
        departments=list(departments),
        apps=["excel"],
        application=person,
        applied_at=NOW,
        changed_at=NOW,
    )


def test_named_where_allowed_counted_otherwise_and_left_people_not_at_all() -> None:
    snapshot = Snapshot(
        names={"p-ann": "Ann", "p-zed": "Zed"},
        placed={"p-ann": ("T", "Sales"), "p-bob": ("T", "Sales"), "p-zed": ("U", "IT")},
        removed=frozenset({"p-gone"}),
    )
    found = roster(
        [
            champion("p-zed", "Sales", "IT"),
            champion("p-ann", "Sales"),
            champion("p-bob", "Sales"),
            champion("p-gone", "Sales"),
        ],
        snapshot,
        me="p-ann",
    )
    assert [(d.department, [c.name for c in d.champions], d.unnamed) for d in found] == [
        ("IT", ["Zed"], 0),
        ("Sales", ["Ann", "Zed"], 1),
    ]
    assert [c.me for c in found[1].champions] == [True, False]


def test_one_department_is_answered_even_without_champions() -> None:
    found = roster([champion("p-ann", "Sales")], Snapshot(names={"p-ann": "Ann"}), None, "Legal")
    assert [(d.department, d.champions, d.unnamed) for d in found] == [("Legal", [], 0)]


def test_department_figures_are_insights_over_its_members_and_small_ones_hidden() -> None:
    memberships: dict[str, Membership] = {}
    for i in range(6):
        memberships[f"p-s{i}"] = ("Sales A", "Sales")
    for i in range(2):
        memberships[f"p-l{i}"] = ("Legal A", "Legal")
    snapshot = Snapshot(
        department_sizes={"Sales": 6, "Legal": 2},
        team_sizes={"Sales A": 6, "Legal A": 2},
        memberships=memberships,
        placed=memberships,
    )
    today = date(2026, 12, 1)
    usage = [
        Usage("p-s0", today, "word", 3),
        Usage("p-s1", today, "word", 1),
        Usage("p-l0", today, "excel", 1),
        Usage("p-outsider", today, "loop", 9),
    ]
    found = figures(usage, snapshot, today, Options(min_group_size=5, minutes_per_action=6))
    sales = found["Sales"]
    assert (sales.licensed, sales.active, sales.not_yet_active) == (6, 2, 4)
    assert [a.app for a in sales.apps_used] == ["word"]
    assert "excel" in sales.apps_unused and "loop" in sales.apps_unused
    assert found["Legal"].shown is False and found["Legal"].hidden_reason == "small_group"
    assert found["Legal"].licensed is None
    assert set(department_view(snapshot, "Sales").memberships) == {f"p-s{i}" for i in range(6)}
