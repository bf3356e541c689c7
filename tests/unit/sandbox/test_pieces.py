"""Filters, fault bookkeeping and token validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jwt
import pytest

from services.sandbox.certs import ensure_certs
from services.sandbox.faults import FaultBook, FaultSpec
from services.sandbox.odata_filter import parse_filter
from services.sandbox.tokens import TokenRejected, TokenService

ISSUER = "https://127.0.0.1:1/t/v2.0"


def test_filter_with_both_bounds_and_app_class() -> None:
    window = parse_filter(
        "createdDateTime gt 2025-06-01T00:00:00Z and createdDateTime lt "
        "2025-06-02T00:00:00Z and appClass eq 'IPM.SkypeTeams.Message.Copilot.Word'"
    )
    inside = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    edge = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert window.admits(inside, "IPM.SkypeTeams.Message.Copilot.Word")
    assert not window.admits(inside, "IPM.SkypeTeams.Message.Copilot.Excel")
    assert not window.admits(edge, "IPM.SkypeTeams.Message.Copilot.Word")  # gt is strict
    assert parse_filter("createdDateTime ge 2025-06-01T00:00:00Z").admits(edge, "x")


def test_filter_rejects_other_clauses() -> None:
    with pytest.raises(ValueError):
        parse_filter("body eq 'secret'")


def test_fault_counts_down_and_is_removed() -> None:
    book = FaultBook()
    book.add(FaultSpec(pattern="reports", status=429, retry_after=1, count=2))
    book.add(FaultSpec(pattern="delta", status=503, count=None, method="GET"))
    assert book.take("GET", "/v1.0/users") is None
    assert book.take("GET", "/v1.0/copilot/reports/x") is not None
    assert book.take("GET", "/v1.0/copilot/reports/x") is not None
    assert book.take("GET", "/v1.0/copilot/reports/x") is None
    assert book.take("POST", "/v1.0/users/delta") is None
    assert all(book.take("GET", "/v1.0/users/delta") is not None for _ in range(5))
    book.clear()
    assert book.take("GET", "/v1.0/users/delta") is None


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> TokenService:
    certs = ensure_certs(tmp_path_factory.mktemp("keys"))
    return TokenService(certs, (ISSUER,), "t", lifetime=60)


def test_token_round_trip_and_rejections(service: TokenService) -> None:
    token, _ = service.issue({"roles": ["Reports.Read.All"]}, "https://graph.microsoft.com", ISSUER)
    assert service.validate(token, ("https://graph.microsoft.com",))["roles"] == [
        "Reports.Read.All"
    ]
    with pytest.raises(TokenRejected):
        service.validate(token, ("api://other",))
    foreign, _ = service.issue({}, "https://graph.microsoft.com", "https://evil/t/v2.0")
    with pytest.raises(TokenRejected):
        service.validate(foreign, ("https://graph.microsoft.com",))
    with pytest.raises(TokenRejected):
        service.validate(token[:-4] + "AAAA", ("https://graph.microsoft.com",))
    expired, _ = service.issue({"exp": 1_000}, "https://graph.microsoft.com", ISSUER)
    with pytest.raises(TokenRejected):
        service.validate(expired, ("https://graph.microsoft.com",))


def test_certs_are_reused(tmp_path: Path) -> None:
    first = ensure_certs(tmp_path)
    ca = first.ca.read_bytes()
    key = first.signing_key.read_bytes()
    second = ensure_certs(tmp_path)
    assert second.ca.read_bytes() == ca and second.signing_key.read_bytes() == key
    first.server_cert.unlink()
    third = ensure_certs(tmp_path)
    assert third.ca.read_bytes() == ca and third.server_cert.exists()


def test_assertion_from_an_unknown_key_is_rejected(service: TokenService, tmp_path: Path) -> None:
    other = ensure_certs(tmp_path)
    key = other.client_key.read_text()
    assertion = jwt.encode(
        {"aud": "e", "iss": "c", "sub": "c", "exp": 2**31},
        key,
        algorithm="RS256",
        headers={"x5t": service.client_certificate.x5t},
    )
    with pytest.raises(TokenRejected):
        service.verify_assertion(assertion, "c", "e")
