"""How a colleague appears to others in the community: a name only where boards show one.

A person's name is shown to others only when they opted in and the small-group rules
allow it (:class:`services.api.directory.Snapshot` keeps exactly those names); their
department only when it is big enough to be shown. Everyone else is "a colleague".
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.api.directory import Snapshot
from shared.leaderboards import Scope


class PersonLabel(BaseModel):
    """A colleague as others may see them."""

    name: str | None = Field(
        default=None, description="Only for people who opted in (and whom no small group hides)"
    )
    department: str | None = Field(
        default=None, description="Only when the department has enough licensed members"
    )


def department_shown(snapshot: Snapshot, department: str | None, min_size: int) -> str | None:
    """``department`` when it may be mentioned on its own, else None."""
    if not department or not snapshot.shown(Scope.DEPARTMENTS, department, min_size):
        return None
    return department


def label(snapshot: Snapshot, person: str, min_size: int) -> PersonLabel:
    """``person`` as others may see them."""
    _, department = snapshot.placed.get(person, (None, None))
    return PersonLabel(
        name=snapshot.name_of(person), department=department_shown(snapshot, department, min_size)
    )
