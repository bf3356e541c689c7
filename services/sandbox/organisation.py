"""The simulated organisation: people, departments, teams and their lifecycle.

Everything is derived from a seed, so the same settings always yield the same
tenant. Lifecycle events (joiners, movers, leavers) are spread over the history
window and a few weeks beyond the data date, so that moving the clock forward
produces directory changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import random
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass

from services.sandbox.names import (
    DEPARTMENTS,
    FLEMISH_FAMILY,
    FLEMISH_GIVEN,
    INTERNATIONAL_NAMES,
    OFFICES,
    DepartmentSpec,
)

FUTURE_DAYS = 28
LIFECYCLE_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class Placement:
    department: str
    team: str
    job_title: str


@dataclass(frozen=True, slots=True)
class Move:
    date: dt.date
    to: Placement


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    id: str
    given_name: str
    surname: str
    display_name: str
    user_principal_name: str
    office_location: str
    placement: Placement
    licensed: bool
    joined: dt.date | None = None
    left: dt.date | None = None
    removal_reason: str = "changed"
    move: Move | None = None
    concealed_upn: str = ""
    concealed_name: str = ""

    def present_on(self, day: dt.date) -> bool:
        return (self.joined is None or self.joined <= day) and (
            self.left is None or self.left > day
        )

    def placement_on(self, day: dt.date) -> Placement:
        if self.move is not None and self.move.date <= day:
            return self.move.to
        return self.placement


@dataclass(frozen=True)
class Organisation:
    seed: int
    domain: str
    tenant_id: str
    anchor: dt.date  # the data date the organisation was generated for
    history_start: dt.date
    people: tuple[Person, ...]
    departments: tuple[DepartmentSpec, ...]

    def by_id(self, object_id: str) -> Person | None:
        return self._index().get(object_id.lower())

    def _index(self) -> dict[str, Person]:
        cached: dict[str, Person] | None = self.__dict__.get("_by_id")
        if cached is None:
            cached = {p.id: p for p in self.people}
            object.__setattr__(self, "_by_id", cached)
        return cached

    def by_upn(self, upn: str) -> Person | None:
        cached: dict[str, Person] | None = self.__dict__.get("_by_upn")
        if cached is None:
            cached = {p.user_principal_name: p for p in self.people}
            object.__setattr__(self, "_by_upn", cached)
        return cached.get(upn.lower())

    def present(self, day: dt.date) -> list[Person]:
        return [p for p in self.people if p.present_on(day)]


def concealed(seed: int, object_id: str, field: str) -> str:
    """A stable 32-character uppercase hex hash, as Graph shows concealed names."""
    digest = hashlib.blake2b(f"{seed}:{object_id}:{field}".encode(), digest_size=16)
    return digest.hexdigest().upper()


@functools.cache
def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _pick_name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.78:
        return rng.choice(FLEMISH_GIVEN), rng.choice(FLEMISH_FAMILY)
    return rng.choice(INTERNATIONAL_NAMES)


def _placement(rng: random.Random, spec: DepartmentSpec) -> Placement:
    return Placement(spec.name, rng.choice(spec.teams), rng.choice(spec.titles))


def build_organisation(
    *,
    seed: int,
    size: int,
    anchor: dt.date,
    weeks: int,
    domain: str = "contoso.be",
    tenant_id: str = "",
    licensed_share: float = 0.88,
) -> Organisation:
    rng = random.Random(seed)
    history_start = anchor - dt.timedelta(days=weeks * 7)
    span = (anchor - history_start).days + FUTURE_DAYS
    # cumulative weights once: random.choices would otherwise rebuild them per person
    weights = list(itertools.accumulate(spec.weight for spec in DEPARTMENTS))
    office_names = [name for name, _ in OFFICES]
    office_weights = list(itertools.accumulate(weight for _, weight in OFFICES))
    upn_counts: Counter[str] = Counter()
    people: list[Person] = []
    for index in range(size):
        given, family = _pick_name(rng)
        local = f"{_ascii(given)}.{_ascii(family)}"
        upn_counts[local] += 1
        if upn_counts[local] > 1:
            local = f"{local}{upn_counts[local]}"
        object_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        spec = rng.choices(DEPARTMENTS, cum_weights=weights)[0]
        lifecycle = rng.random()
        joined = left = None
        move = None
        # index 0 stays a stable, present person: tests and the demo sign in as them
        if index and lifecycle < LIFECYCLE_SHARE:
            joined = history_start + dt.timedelta(days=rng.randrange(1, span))
        elif index and lifecycle < 2 * LIFECYCLE_SHARE:
            left = history_start + dt.timedelta(days=rng.randrange(14, span))
        elif index and lifecycle < 3 * LIFECYCLE_SHARE:
            target = rng.choice([d for d in DEPARTMENTS if d is not spec])
            move = Move(
                history_start + dt.timedelta(days=rng.randrange(7, span)), _placement(rng, target)
            )
        people.append(
            Person(
                index=index,
                id=object_id,
                given_name=given,
                surname=family,
                display_name=f"{given} {family}",
                user_principal_name=f"{local}@{domain}",
                office_location=rng.choices(office_names, cum_weights=office_weights)[0],
                placement=_placement(rng, spec),
                licensed=index == 0 or rng.random() < licensed_share,
                joined=joined,
                left=left,
                removal_reason="deleted" if rng.random() < 0.2 else "changed",
                move=move,
                concealed_upn=concealed(seed, object_id, "userPrincipalName"),
                concealed_name=concealed(seed, object_id, "displayName"),
            )
        )
    return Organisation(
        seed=seed,
        domain=domain,
        tenant_id=tenant_id,
        anchor=anchor,
        history_start=history_start,
        people=tuple(people),
        departments=DEPARTMENTS,
    )


def summary(org: Organisation, day: dt.date) -> dict[str, object]:
    """Counts per department and team on a given day (for tests and the demo)."""
    people: Counter[str] = Counter()
    licensed: Counter[str] = Counter()
    teams: dict[str, Counter[str]] = {}
    present = org.present(day)
    for person in present:
        placement = person.placement_on(day)
        people[placement.department] += 1
        licensed[placement.department] += int(person.licensed)
        teams.setdefault(placement.department, Counter())[placement.team] += 1
    return {
        "date": day.isoformat(),
        "people": len(present),
        "licensed": sum(licensed.values()),
        "history_start": org.history_start.isoformat(),
        "departments": {
            name: {
                "people": people[name],
                "licensed": licensed[name],
                "teams": dict(sorted(teams[name].items())),
            }
            for name in sorted(people)
        },
    }
