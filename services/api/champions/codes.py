"""Check-in codes: short, easy to read aloud and type, changing every few minutes.

A code is derived from the event's secret and the current step of ``ROTATE_SECONDS``
(an HMAC), so every gateway replica shows and accepts the same code without storing
it. The previous step's code is still accepted for ``GRACE_SECONDS`` after it rotated,
for whoever was typing it (or signing in after scanning it). Codes use an alphabet
without look-alikes (no 0/O, 1/I/L), and check-in is open from ``OPEN_BEFORE`` before
an event starts until ``OPEN_AFTER`` after it ends.

With 31^6 (about 887 million) codes and two valid at a time, a guesser allowed a few
wrong tries per ten minutes (:mod:`.checkins`) has no practical chance.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

import segno

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
ROTATE_SECONDS = 180
GRACE_SECONDS = 120
EXPIRED_STEPS = 40  # an older code than this (two hours) is simply wrong
OPEN_BEFORE = timedelta(minutes=10)
OPEN_AFTER = timedelta(minutes=15)


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    WRONG = "wrong"


@dataclass(frozen=True)
class Code:
    code: str
    rotates_at: datetime


def new_secret() -> str:
    return secrets.token_hex(32)


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // ROTATE_SECONDS


def code_at(secret: str, event: str, step: int) -> str:
    digest = hmac.new(bytes.fromhex(secret), f"{event}:{step}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def current(secret: str, event: str, now: datetime) -> Code:
    step = step_of(now)
    rotates = datetime.fromtimestamp((step + 1) * ROTATE_SECONDS, UTC)
    return Code(code_at(secret, event, step), rotates)


def normalise(entered: str) -> str:
    """What someone typed, as a code: upper case, without spaces or dashes."""
    return "".join(ch for ch in entered.upper() if ch not in " -\t")


def check(secret: str, event: str, entered: str, now: datetime) -> Verdict:
    """Whether ``entered`` is the code now, or the previous one within its grace."""
    typed = normalise(entered).encode()
    step = step_of(now)
    if hmac.compare_digest(typed, code_at(secret, event, step).encode()):
        return Verdict.VALID
    since_rotation = now.timestamp() - step * ROTATE_SECONDS
    previous = code_at(secret, event, step - 1).encode()
    if hmac.compare_digest(typed, previous):
        return Verdict.VALID if since_rotation < GRACE_SECONDS else Verdict.EXPIRED
    for back in range(2, EXPIRED_STEPS + 1):
        if hmac.compare_digest(typed, code_at(secret, event, step - back).encode()):
            return Verdict.EXPIRED
    return Verdict.WRONG


def is_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at - OPEN_BEFORE <= now <= ends_at + OPEN_AFTER


def checkin_url(public: str, event: str, code: str) -> str:
    """The address a QR code sends an attendee to, with the event and code filled in."""
    return f"{public.rstrip('/')}/champions/checkin?{urlencode({'event': event, 'code': code})}"


@dataclass(frozen=True)
class Qr:
    svg: str  # an <svg> element that scales to its box (viewBox, no fixed size)
    data_uri: str  # the same, for an <img src>


def qr(url: str) -> Qr:
    made = segno.make(url, error="m", micro=False)
    return Qr(
        svg=made.svg_inline(omitsize=True, border=2, dark="#111111", light="#ffffff"),
        data_uri=made.svg_data_uri(border=2, scale=8, dark="#111111", light="#ffffff"),
    )
