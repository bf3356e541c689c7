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
