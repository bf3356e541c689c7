"""Where sign-in returns to: a path on this site, whatever ``next`` says."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.auth.oidc import nonce_hash, safe_next


@pytest.mark.parametrize(
    ("wanted", "back"),
    [
        ("/me", "/me"),
        ("/admin?lang=fr", "/admin?lang=fr"),
        ("/community#kudos", "/community#kudos"),
        (None, "/me"),
        ("", "/me"),
        ("me", "/me"),
        ("https://evil.example/", "/me"),
        ("//evil.example/me", "/me"),
        ("/\\evil.example", "/me"),
        ("/\t/evil.example", "/me"),
        ("javascript:alert(1)", "/me"),
        ("/" + "a" * 600, "/me"),
    ],
)
def test_next(wanted: str | None, back: str) -> None:
    assert safe_next(wanted) == back


@given(st.text(max_size=80))
def test_a_browser_following_next_stays_on_the_gateway(wanted: str) -> None:
    back = safe_next(wanted)
    landed = urlsplit(urljoin("https://uptake.example/auth/callback", back))
    assert (landed.scheme, landed.netloc) == ("https", "uptake.example")
    assert back.startswith("/") and not back.startswith("//")


def test_the_nonce_msal_sends_is_the_hash_of_the_flows() -> None:
    assert nonce_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
