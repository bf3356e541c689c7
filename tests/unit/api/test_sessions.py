"""Browser sessions: stored under a hash of the cookie, ended at their absolute lifetime or on
sign-out, with a cookie scripts cannot read; the guard's CSRF rule for cookie requests."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi import HTTPException, Request
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import Response

from services.api.auth.guard import Guard
from services.api.auth.sessions import (
    COOKIE,
    KEY_PREFIX,
    SessionStore,
    clean_roles,
    close_session,
    open_session,
)

HOURS_8 = 8 * 3600


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ExpiringDict:
    """The few Redis commands sessions use, with TTLs on the same clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.data: dict[str, tuple[bytes, float]] = {}
        self.sets: dict[str, set[str]] = {}

    async def set(self, key: str, value: str, ex: int) -> None:
        self.data[key] = (value.encode(), self.clock() + ex)

    async def get(self, key: str) -> bytes | None:
        found = self.data.get(key)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    async def delete(self, *keys: str) -> int:
        return sum(self.data.pop(key, None) is not None for key in keys)

    def sadd(self, key: str, member: str) -> None:
        members = self.sets.setdefault(key, set())
        members.add(member)

    def expire(self, key: str, seconds: int) -> None:
        pass  # the index is only read by end_person

    async def smembers(self, key: str) -> list[str]:
        return sorted(self.sets.get(key, ()))

    def pipeline(self, transaction: bool = False) -> Pipeline:
        return Pipeline(self)


class Pipeline:
    def __init__(self, redis: ExpiringDict) -> None:
        self.redis = redis
        self.calls: list[Any] = []

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    def set(self, key: str, value: str, ex: int) -> None:
        self.calls.append(self.redis.set(key, value, ex))

    def sadd(self, key: str, member: str) -> None:
        self.redis.sadd(key, member)

    def expire(self, key: str, seconds: int) -> None:
        self.redis.expire(key, seconds)

    async def execute(self) -> None:
        for call in self.calls:
            await call


def store(clock: Clock, **options: Any) -> tuple[SessionStore, ExpiringDict]:
    redis = ExpiringDict(clock)
    return SessionStore(redis, clock=clock, **options), redis  # type: ignore[arg-type]


def request(method: str = "GET", headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {"type": "http", "method": method, "path": "/", "headers": raw, "query_string": b""}
    return Request(scope)


async def test_a_session_is_kept_under_the_hash_of_its_cookie_and_ends_at_its_lifetime() -> None:
    clock = Clock()
    sessions, redis = store(clock)
    value, opened = await sessions.create(person="p-1", roles=["Admin"], name="Ann", label="s")
    assert list(redis.data) == [KEY_PREFIX + hashlib.sha256(value.encode()).hexdigest()]
    assert all(value not in v.decode() for v, _ in redis.data.values())
    assert await sessions.get(value) == opened
    assert opened.expires_at.timestamp() == pytest.approx(clock.now + HOURS_8, abs=1)
    clock.now += HOURS_8 - 2
    assert await sessions.get(value) == opened  # reading it does not make it last longer
    clock.now += 2
    assert await sessions.get(value) is None


async def test_the_record_ends_the_session_even_if_the_key_outlives_it() -> None:
    clock = Clock()
    sessions, redis = store(clock, lifetime=timedelta(hours=1))
    value, _ = await sessions.create(person="p-1", roles=[], name="Ann")
    [key] = redis.data
    record = json.loads(redis.data[key][0])
    redis.data[key] = (json.dumps(record).encode(), clock.now + 10 * HOURS_8)
    clock.now += 3600
    assert await sessions.get(value) is None


async def test_signing_out_deletes_the_session_and_clears_the_cookie() -> None:
    sessions, redis = store(Clock())
    response = Response()
    opened = await open_session(sessions, response, person="p-1", roles=["Admin"], name="Ann")
    cookie = response.headers["set-cookie"]
    value = cookie.split(";")[0].removeprefix(f"{COOKIE}=")
    assert await sessions.get(value) == opened
    out = Response()
    await close_session(sessions, request(headers={"cookie": f"{COOKIE}={value}"}), out)
    assert redis.data == {}
    assert out.headers["set-cookie"].startswith(f"{COOKIE}=; Path=/; Max-Age=0;")


@pytest.mark.parametrize(
    ("same_site", "expected"),
    [("lax", {"SameSite=Lax"}), ("none", {"SameSite=None", "Partitioned"})],
)
async def test_the_cookie_is_host_only_http_only_and_secure(
    same_site: str, expected: set[str]
) -> None:
    sessions, _ = store(Clock(), same_site=same_site, lifetime=timedelta(hours=2))
    response = Response()
    await open_session(sessions, response, person="p-1", roles=[], name="Ann")
    name_value, *attributes = response.headers["set-cookie"].split("; ")
    assert name_value.startswith("__Host-uptake_session=")
    assert {"Path=/", "HttpOnly", "Secure", "Max-Age=7200", *expected} == set(attributes)


@given(st.text(max_size=200))
async def test_only_an_issued_value_opens_a_session(guess: str) -> None:
    sessions, _ = store(Clock())
    value, _ = await sessions.create(person="p-1", roles=[], name="Ann")
    assert (await sessions.get(guess) is not None) == (guess == value)


@pytest.mark.parametrize("roles", [[1], [""], ["x" * 101], ["r"] * 21, [None]])
def test_roles_that_are_not_short_strings_are_refused(roles: list[object]) -> None:
    with pytest.raises(ValueError):
        clean_roles(roles)


class NoDisplays:
    async def principal(self, token: str) -> None:
        return None


async def test_cookie_requests_with_unsafe_methods_must_echo_the_csrf_value() -> None:
    sessions, _ = store(Clock())
    value, opened = await sessions.create(person="p-1", roles=["Admin"], name="Ann")
    guard = Guard(NoDisplays(), None, sessions)  # type: ignore[arg-type]
    cookie = {"cookie": f"{COOKIE}={value}"}
    for method in ("GET", "HEAD", "OPTIONS"):
        found = await guard.principal(request(method, cookie))
        assert (found.kind, found.person, found.roles) == ("user", "p-1", frozenset({"Admin"}))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for sent in ({}, {"x-csrf-token": "wrong"}, {"x-csrf-token": ""}):
            with pytest.raises(HTTPException) as refused:
                await guard.principal(request(method, {**cookie, **sent}))
            assert refused.value.status_code == 403
        ok = await guard.principal(request(method, {**cookie, "x-csrf-token": opened.csrf}))
        assert ok.person == "p-1"


async def test_a_bearer_token_is_judged_as_before_even_beside_a_cookie() -> None:
    sessions, _ = store(Clock())
    value, _ = await sessions.create(person="p-1", roles=["Admin"], name="Ann")
    guard = Guard(NoDisplays(), None, sessions)  # type: ignore[arg-type]
    headers = {"cookie": f"{COOKIE}={value}", "authorization": "Bearer abc"}
    with pytest.raises(HTTPException) as refused:
        await guard.principal(request("POST", headers))
    assert refused.value.status_code == 401  # the token speaks; no sign-in is configured
    unknown = await guard.principal(request("POST", {"cookie": f"{COOKIE}=forged"}))
    assert unknown.kind == "anonymous"  # an unknown cookie is no one, not an error


async def test_erasing_a_person_ends_every_session_they_have_and_no_other() -> None:
    clock = Clock()
    sessions, _ = store(clock)
    mine = [(await sessions.create(person="p-erased", roles=[], name="A"))[0] for _ in range(3)]
    theirs, _ = await sessions.create(person="p-kept", roles=[], name="B")
    assert await sessions.end_person("p-erased") == 3
    assert [await sessions.get(value) for value in mine] == [None, None, None]
    assert await sessions.get(theirs) is not None
    assert await sessions.end_person("p-erased") == 0
