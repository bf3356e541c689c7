"""Who a report row is about: a directory person, or nobody Uptake may score.

A row joins a person when its ``userPrincipalName`` is a present user of the
directory; it then carries the pseudonym of that user's Entra object id, the
same person the directory and the interaction history speak of. Any other row
(a concealed name, or a name the directory does not know) is *unattributed*: it
gets a keyed pseudonym of the report's name, in a namespace of its own so that
it can never be taken for a person id, and counts only in the tenant-wide
adoption figure.

A row of an erased person (``shared.suppression``: the report identity of the
name, or the pseudonym of the directory user it names, is listed) is neither:
it is withheld, before anything is derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.ingest.reports import is_concealed
from shared.events import UnattributedReason
from shared.ids import REPORT_IDENTITY_PREFIX, pseudonym, report_identity

__all__ = [
    "ERASED",
    "REPORT_IDENTITY_PREFIX",
    "Erased",
    "ReportIdentities",
    "Unattributed",
    "report_identity",
]


@dataclass(frozen=True, slots=True)
class Unattributed:
    report_identity: str
    reason: UnattributedReason


@dataclass(frozen=True, slots=True)
class Erased:
    """A row about an erased person: nothing is published from it."""


ERASED = Erased()
Who = str | Unattributed | Erased


@dataclass
class ReportIdentities:
    """Maps report ``userPrincipalName`` values to people, unattributed identities, or
    :data:`ERASED`; ``erased`` holds the suppression list's keys."""

    key: str
    upn_to_object_id: dict[str, str]
    erased: frozenset[str] = frozenset()
    joined: int = 0
    concealed: int = 0
    unknown: int = 0
    withheld: int = 0
    _cache: dict[str, Who] = field(default_factory=dict)

    def resolve(self, user_principal_name: str) -> Who:
        """The person id of a joined row, else the row's unattributed identity; ERASED for
        a row whose name or person is on the suppression list."""
        cached = self._cache.get(user_principal_name)
        if cached is not None:
            return cached
        identity = report_identity(user_principal_name, self.key)
        object_id = self.upn_to_object_id.get(user_principal_name.lower())
        person = pseudonym(object_id, self.key) if object_id else None
        result: Who
        if identity in self.erased or person in self.erased:
            self.withheld += 1
            result = ERASED
        elif is_concealed(user_principal_name):
            self.concealed += 1
            result = Unattributed(identity, UnattributedReason.CONCEALED)
        elif person is not None:
            self.joined += 1
            result = person
        else:
            self.unknown += 1
            result = Unattributed(identity, UnattributedReason.UNKNOWN_USER)
        self._cache[user_principal_name] = result
        return result

    def unattributed_name(self, user_principal_name: str) -> str:
        """The identity this name had while it was unattributed (to find rows that joined)."""
        return report_identity(user_principal_name, self.key)
