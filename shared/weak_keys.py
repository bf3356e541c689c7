"""Secret keys production refuses: too short, too plain, or published with Uptake.

A key anyone can read in this repository (a development default, a compose default,
an example) pseudonymises nobody: whoever knows it can recompute every pseudonym
from an Entra object id. ``tests/unit/test_shared_weak_keys.py`` reads the
repository for such values, so one added to an example later is refused too.
"""

from __future__ import annotations

import base64
import binascii

MIN_KEY_BYTES = 32
MIN_DISTINCT_CHARACTERS = 8  # "aaaa...", "0123..." and the like are no secret
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "replace-me", "example")
# Values published with Uptake at some point, so refused even where they are long enough.
PUBLISHED_KEYS = frozenset(
    {
        "uptake-development-key-change-me",  # the development default
        "compose-demo-pseudonym-key-change-me",  # docker-compose's former default
    }
)

PSEUDONYM_KEY_COMMAND = "openssl rand -hex 32"
FERNET_KEY_COMMAND = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def weakness(key: str) -> str | None:
    """Why ``key`` is no production secret, or ``None`` when it may serve as one."""
    if key in PUBLISHED_KEYS:
        return "it is published with Uptake"
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return "it is a placeholder"
    if len(key.encode()) < MIN_KEY_BYTES:
        return f"it must be at least {MIN_KEY_BYTES} bytes"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return "it is too plain to be random"
    return None


def fernet_key_problem(key: str) -> str | None:
    """Why ``key`` is not a Fernet key (32 bytes, URL-safe base64), or ``None``."""
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        return "it is not URL-safe base64"
    if len(raw) != MIN_KEY_BYTES:
        return f"it holds {len(raw)} bytes instead of {MIN_KEY_BYTES}"
    return None


def fernet_weakness(key: str) -> str | None:
    """:func:`weakness` for a Fernet key: also its 32 bytes must not be plain."""
    if key in PUBLISHED_KEYS:
        return "it is published with Uptake"
    raw = base64.urlsafe_b64decode(key.encode())
    if len(set(raw)) < MIN_DISTINCT_CHARACTERS:
        return "it is too plain to be random"
    return None
