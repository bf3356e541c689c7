"""Taking one pseudonym out of JSON facts that may mention several people.

A notify digest lists many people; erasing one of them must not erase the
others' post. A field that *is* the person (``person``, ``winner``) makes the
whole record theirs; a list that merely includes them loses that entry.
"""

from __future__ import annotations

from typing import Any


def scrub(value: Any, person: str) -> tuple[Any, bool]:
    """``value`` without ``person`` in any list, and whether a field names the person."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        owned = False
        for key, item in value.items():
            if item == person:
                owned = True
            out[key], inner = scrub(item, person)
            owned = owned or inner
        return out, owned
    if isinstance(value, list):
        kept = []
        owned = False
        for item in value:
            if item == person:
                continue
            cleaned, inner = scrub(item, person)
            kept.append(cleaned)
            owned = owned or inner
        return kept, owned
    return value, False
