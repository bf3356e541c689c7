"""Who a report row is about: the directory join, or a pseudonym of the concealed name."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.ingest.reports import is_concealed
from shared.ids import pseudonym


@dataclass
class ReportIdentities:
    """Maps report ``userPrincipalName`` values to pseudonymous people.

    Joined rows get the pseudonym of the Entra object id, the same person the
    directory and interaction history speak of. Concealed rows (32-hex hashes)
    and names the directory does not know get a pseudonym of the name itself:
    their activity counts, but they cannot be placed in a team or department.
    """

    key: str
    upn_to_object_id: dict[str, str]
    joined: int = 0
    concealed: int = 0
    unknown: int = 0
    _cache: dict[str, str] = field(default_factory=dict)

    def person(self, user_principal_name: str) -> str:
        cached = self._cache.get(user_principal_name)
        if cached is not None:
            return cached
        if is_concealed(user_principal_name):
            self.concealed += 1
            result = pseudonym(f"concealed:{user_principal_name}", self.key)
        elif object_id := self.upn_to_object_id.get(user_principal_name.lower()):
            self.joined += 1
            result = pseudonym(object_id, self.key)
        else:
            self.unknown += 1
            result = pseudonym(f"upn:{user_principal_name}", self.key)
        self._cache[user_principal_name] = result
        return result
