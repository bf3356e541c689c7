"""Check-in codes: readable, rotating, accepted for a short grace, different per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.api.champions import codes
from services.api.champions.codes import Verdict

SECRET = "11" * 32
EVENT = "3f0c8f7e-5d1a-4f8e-9a3b-2c1d0e9f8a7b"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@given(moments)
def test_codes_use_six_unambiguous_characters(moment: datetime) -> None:
    code = codes.current(SECRET, EVENT, moment).code
    assert len(code) == 6
    assert not set(code) & set("01OIL")
    assert set(code) <= set(codes.ALPHABET)


@given(moments)
def test_the_current_code_is_valid_and_rotates_when_it_says(moment: datetime) -> None:
    current = codes.current(SECRET, EVENT, moment)
    assert codes.check(SECRET, EVENT, current.code, moment) is Verdict.VALID
    assert moment < current.rotates_at <= moment + timedelta(seconds=codes.ROTATE_SECONDS)
    after = codes.current(SECRET, EVENT, current.rotates_at)
    assert after.rotates_at == current.rotates_at + timedelta(seconds=codes.ROTATE_SECONDS)


@given(moments, st.integers(0, codes.ROTATE_SECONDS * 3))
def test_a_code_is_valid_until_the_grace_after_it_rotated_then_expired(
    moment: datetime, later: int
) -> None:
    current = codes.current(SECRET, EVENT, moment)
    then = moment + timedelta(seconds=later)
    verdict = codes.check(SECRET, EVENT, current.code, then)
    grace_ends = current.rotates_at + timedelta(seconds=codes.GRACE_SECONDS)
    if then < grace_ends:
        assert verdict is Verdict.VALID
    else:
        assert verdict is Verdict.EXPIRED


def test_codes_differ_per_event_and_secret_and_typing_is_forgiving() -> None:
    code = codes.current(SECRET, EVENT, T0).code
    assert codes.current(SECRET, "another-event", T0).code != code
    assert codes.current("22" * 32, EVENT, T0).code != code
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert codes.check(SECRET, EVENT, typed, T0) is Verdict.VALID
    assert codes.check("22" * 32, EVENT, code, T0) is Verdict.WRONG
    assert codes.check(SECRET, EVENT, "", T0) is Verdict.WRONG


def test_a_code_from_long_ago_is_simply_wrong() -> None:
    old = codes.code_at(SECRET, EVENT, codes.step_of(T0) - codes.EXPIRED_STEPS - 1)
    assert codes.check(SECRET, EVENT, old, T0) is Verdict.WRONG


def test_check_in_opens_before_the_start_and_closes_after_the_end() -> None:
    starts, ends = T0, T0 + timedelta(hours=1)
    assert codes.is_open(starts, ends, starts - codes.OPEN_BEFORE)
    assert not codes.is_open(starts, ends, starts - codes.OPEN_BEFORE - timedelta(seconds=1))
    assert codes.is_open(starts, ends, ends + codes.OPEN_AFTER)
    assert not codes.is_open(starts, ends, ends + codes.OPEN_AFTER + timedelta(seconds=1))


def test_the_qr_code_encodes_the_check_in_address() -> None:
    url = codes.checkin_url("https://uptake.example.com/", EVENT, "K7MPQ3")
    assert url == f"https://uptake.example.com/champions/checkin?event={EVENT}&code=K7MPQ3"
    made = codes.qr(url)
    assert made.svg.startswith("<svg") and "viewBox" in made.svg and "width=" not in made.svg
    assert made.data_uri.startswith("data:image/svg+xml")
