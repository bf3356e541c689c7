"""Secrets never reach the logs: not in exception text, not nested in values, not as ``token=``,
and not through standard-library loggers (uvicorn, httpx) either."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from shared.logs import configure_logging, get_logger, redact
from shared.settings import NotifySettings

WEBHOOK = (
    "https://prod.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig="
)


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Logging configured as a service does, into a buffer; yields a reader of what was written."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("test", "DEBUG", getattr(request, "param", "json"))

    def read() -> str:
        return buffer.getvalue()

    yield read
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = handlers
    root.setLevel(level)


def failing_post() -> None:
    request = httpx.Request("POST", WEBHOOK + "SIGSECRET1")
    response = httpx.Response(404, request=request)
    response.raise_for_status()


@pytest.mark.parametrize("logs", ["json", "console"], indirect=True)
def test_an_exception_naming_a_webhook_url_is_redacted(logs: Any) -> None:
    log = get_logger("test")
    try:
        failing_post()
    except httpx.HTTPStatusError:
        log.exception("post failed")
    out = logs()
    assert "SIGSECRET1" not in out
    assert "sig=***" in out and "Traceback" in out


def test_nested_values_are_redacted(logs: Any) -> None:
    get_logger("test").warning(
        "request",
        attempt={"url": f"{WEBHOOK}SIGSECRET2", "history": ["/api/live?token=dsp_TOKENSECRET"]},
        urls=(f"{WEBHOOK}SIGSECRET3",),
    )
    out = logs()
    line = json.loads(out.strip().splitlines()[-1])
    assert line["attempt"]["url"].endswith("sig=***")
    assert line["attempt"]["history"] == ["/api/live?token=***"]
    assert not any(secret in out for secret in ("SIGSECRET2", "SIGSECRET3", "TOKENSECRET"))


def test_token_code_bearer_and_passwords_are_redacted(logs: Any) -> None:
    log = get_logger("test")
    log.info("screen connected", path="/screen?lang=nl&token=dsp_TOKENSECRET2&view=teams")
    log.info("callback", url="https://app/cb?code=CODESECRET&state=1")
    log.info("header", header="Authorization: Bearer eyJBEARERSECRET.x.y")
    log.info("connecting", url="redis://uptake:PASSWORDSECRET@redis:6379/0")
    log.info("login", password="PASSWORDSECRET2", authorization="Bearer eyJBEARERSECRET2")
    out = logs()
    for secret in (
        "TOKENSECRET2",
        "CODESECRET",
        "BEARERSECRET",
        "PASSWORDSECRET",
        "PASSWORDSECRET2",
        "BEARERSECRET2",
    ):
        assert secret not in out, secret
    assert "lang=nl" in out and "view=teams" in out and "state=1" in out
    assert "redis://uptake:***@redis:6379/0" in out


@pytest.mark.parametrize("logs", ["json", "console"], indirect=True)
def test_standard_library_records_are_redacted_after_formatting(logs: Any) -> None:
    access = logging.getLogger("a.library")  # any standard-library logger, as uvicorn's
    access.warning('%s "%s"', "127.0.0.1", "GET /api/live?token=dsp_TOKENSECRET3 HTTP/1.1")
    try:
        failing_post()
    except httpx.HTTPStatusError:
        access.exception("post failed")
    out = logs()
    assert "TOKENSECRET3" not in out and "SIGSECRET1" not in out
    assert "token=***" in out and "Traceback" in out


def test_notify_channels_is_a_secret() -> None:
    channels = json.dumps([{"name": "office", "type": "teams", "url": f"{WEBHOOK}SIGSECRET4"}])
    settings = NotifySettings(notify_channels=channels)
    assert "SIGSECRET4" not in repr(settings) and "SIGSECRET4" not in str(settings.model_dump())
    assert settings.notify_channels is not None
    assert "SIGSECRET4" in settings.notify_channels.get_secret_value()


def test_error_codes_stay_readable(logs: Any) -> None:
    get_logger("test").warning("interaction history skipped", status=403, code="Forbidden")
    assert json.loads(logs().strip())["code"] == "Forbidden"


SECRET = st.from_regex(r"[A-Za-z0-9%+/=._~-]{12,40}", fullmatch=True)
NAME = st.sampled_from(["sig", "token", "access_token", "client_secret", "refresh_token"])


def nested(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=6,
    )


@given(st.data(), SECRET, NAME, st.sampled_from(["?", "&", " "]))
def test_a_secret_parameter_is_masked_wherever_it_sits(
    data: st.DataObject, secret: str, name: str, before: str
) -> None:
    text = f"https://host/path{before}{name}={secret}"
    value = data.draw(nested(st.just(text)))
    rendered = json.dumps(redact({"event": "x", "value": value}))
    assert secret not in rendered
