"""Who is calling: an anonymous screen, a display token, or a signed-in person."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "Admin"
    INSIGHTS = "Insights.Read"


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous", "display" or "user"
    person: str | None = None  # the caller's pseudonymous id, for users
    roles: frozenset[str] = field(default_factory=frozenset)
    label: str = ""  # a display token's label or the token's subject, for audit logs

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.ADMIN in self.roles


ANONYMOUS = Principal("anonymous")
