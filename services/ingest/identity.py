"""Who a report row is about: a directory person, or nobody Uptake may score.

A row joins a person when its ``userPrincipalName`` is a present user of the
directory; it then carries the pseudonym of that user's Entra object id, the
same person the directory and the interaction history speak of. Any other row
(a concealed name, or a name the directory does not know) is *unattributed*: it
gets a keyed pseudonym of the report's name, in a namespace of its own so that
it can never be taken for a person id, and counts only in the tenant-wide
adoption figure.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from services.ingest.reports import is_concealed
from shared.events import UnattributedReason
from shared.ids import pseudonym

REPORT_IDENTITY_PREFIX = "r-"


@dataclass(frozen=True, slots=True)
class Unattributed:
    report_identity: str
    reason: UnattributedReason


def report_identity(name: str, key: str) -> str:
    """A keyed pseudonym of a report name (concealed hash or userPrincipalName)."""
    digest = hmac.new(key.encode(), f"report:{name.strip().lower()}".encode(), hashlib.sha256)
    return REPORT_IDENTITY_PREFIX + digest.hexdigest()[:24]


@dataclass
class ReportIdentities:
    """Maps report ``userPrincipalName`` values to people or unattributed identities."""

    key: str
    upn_to_object_id: dict[str, str]
    joined: int = 0
    concealed: int = 0
    unknown: int = 0
    _cache: dict[str, str | Unattributed] = field(default_factory=dict)

    def resolve(self, user_principal_name: str) -> str | Unattributed:
        """The person id of a joined row, else the row's unattributed identity."""
        cached = self._cache.get(user_principal_name)
        if cached is not None:
            return cached
        result: str | Unattributed
        if is_concealed(user_principal_name):
            self.concealed += 1
            result = Unattributed(
                report_identity(user_principal_name, self.key), UnattributedReason.CONCEALED
            )
        elif object_id := self.upn_to_object_id.get(user_principal_name.lower()):
            self.joined += 1
            result = pseudonym(object_id, self.key)
        else:
            self.unknown += 1
            result = Unattributed(
                report_identity(user_principal_name, self.key), UnattributedReason.UNKNOWN_USER
            )
        self._cache[user_principal_name] = result
        return result

    def unattributed_name(self, user_principal_name: str) -> str:
        """The identity this name had while it was unattributed (to find rows that joined)."""
        return report_identity(user_principal_name, self.key)
