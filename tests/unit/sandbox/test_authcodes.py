"""The sandbox's authorization codes: one redemption, by the same client and redirect URI, with
the verifier whose S256 is the challenge, within ten minutes; registered redirect URIs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.sandbox.authcodes import AuthCodes, CodeRejected, redirect_allowed, s256

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CALLBACK = "http://127.0.0.1:8000/auth/callback"


class Clock:
    now = 1_000.0

    def __call__(self) -> float:
        return self.now


def issued(codes: AuthCodes) -> str:
    return codes.issue(
        client_id="app",
        redirect_uri=CALLBACK,
        person_id="oid-1",
        scope="openid profile",
        nonce="n",
        code_challenge=s256(VERIFIER),
    )


def redeem(codes: AuthCodes, code: str, **changes: str) -> str:
    asked = {"client_id": "app", "redirect_uri": CALLBACK, "code_verifier": VERIFIER, **changes}
    return codes.redeem(code, **asked).person_id


def test_s256_is_rfc_7636s_example() -> None:
    assert s256(VERIFIER) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def rejection(codes: AuthCodes, code: str, **changes: str) -> int:
    with pytest.raises(CodeRejected) as refused:
        redeem(codes, code, **changes)
    return refused.value.code


def test_a_code_is_redeemed_once() -> None:
    codes = AuthCodes()
    code = issued(codes)
    assert redeem(codes, code) == "oid-1"
    assert rejection(codes, code) == 54005
    assert rejection(codes, "never-issued") == 70000


@pytest.mark.parametrize(
    ("changes", "aadsts"),
    [
        ({"code_verifier": "x" * 43}, 501481),
        ({"code_verifier": ""}, 50148),
        ({"redirect_uri": "http://127.0.0.1:8000/elsewhere"}, 500117),
        ({"client_id": "another-app"}, 70000),
    ],
)
def test_a_wrong_redemption_uses_the_code_up(changes: dict[str, str], aadsts: int) -> None:
    codes = AuthCodes()
    code = issued(codes)
    assert rejection(codes, code, **changes) == aadsts
    assert rejection(codes, code) == 54005  # the right one comes too late


def test_a_code_expires_after_ten_minutes() -> None:
    clock = Clock()
    codes = AuthCodes(clock=clock)
    early, late = issued(codes), issued(codes)
    clock.now += 599
    assert redeem(codes, early) == "oid-1"
    clock.now += 2
    assert rejection(codes, late) == 70008


@given(st.text(min_size=1, max_size=128))
def test_only_the_verifier_of_the_challenge_redeems(verifier: str) -> None:
    codes = AuthCodes()
    code = issued(codes)
    if verifier == VERIFIER:
        assert redeem(codes, code, code_verifier=verifier) == "oid-1"
    else:
        assert rejection(codes, code, code_verifier=verifier) == 501481


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://127.0.0.1:8000/auth/callback", True),
        ("http://127.0.0.1:51234/auth/callback", True),
        ("http://localhost:8001/auth/callback", True),
        ("http://127.0.0.1/auth/callback", True),
        ("http://127.0.0.1:8000/auth/other", False),
        ("https://127.0.0.1:8000/auth/callback", False),
        ("http://127.0.0.2:8000/auth/callback", False),
        ("http://evil.example/auth/callback", False),
        ("http://127.0.0.1:8000/auth/callback#x", False),
        ("", False),
    ],
)
def test_registered_redirect_uris_ignore_loopback_ports_only(uri: str, allowed: bool) -> None:
    registered = ["http://127.0.0.1/auth/callback", "http://localhost/auth/callback"]
    assert redirect_allowed(uri, registered) is allowed
    assert redirect_allowed("https://uptake.example:8443/auth/callback", registered) is False
    assert (
        redirect_allowed(
            "https://uptake.example:8443/auth/callback", ["https://uptake.example/auth/callback"]
        )
        is False
    )
