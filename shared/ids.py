"""Deterministic identifiers: the same fact always gets the same id."""

from __future__ import annotations

import hashlib
import hmac


def event_id(event_type: str, *parts: object) -> str:
    """A stable 32-hex id for a fact, from its type and identifying fields."""
    text = "\x1f".join([event_type, *("" if p is None else str(p) for p in parts)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def pseudonym(entra_object_id: str, key: str) -> str:
    """A person's pseudonymous id: a keyed hash of their Entra object id.

    Without the key the id cannot be linked back to the person; with it, the
    same person always gets the same id, so their history stays joined.
    """
    normalised = entra_object_id.strip().lower().encode()
    digest = hmac.new(key.encode(), normalised, hashlib.sha256).hexdigest()
    return f"p-{digest[:24]}"


REPORT_IDENTITY_PREFIX = "r-"


def report_identity(name: str, key: str) -> str:
    """A keyed pseudonym of a usage-report name (a userPrincipalName or a concealed hash).

    In a namespace of its own (``r-``), so it can never be taken for a person id; the
    same name always gets the same identity, and an erased person's userPrincipalName
    can be listed under it (:mod:`shared.suppression`).
    """
    digest = hmac.new(key.encode(), f"report:{name.strip().lower()}".encode(), hashlib.sha256)
    return REPORT_IDENTITY_PREFIX + digest.hexdigest()[:24]
