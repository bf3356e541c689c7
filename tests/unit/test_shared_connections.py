"""How a service's settings become its NATS and Redis connections: users, TLS, no leaks."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme
from pydantic import SecretStr, ValidationError

from shared.bus import connection_options, shown_url
from shared.cache import redis_options
from shared.settings import CommonSettings


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


def test_a_service_connects_to_nats_as_its_user_with_inboxes_of_its_own(ca_file: Path) -> None:
    settings = CommonSettings(
        nats_url="tls://nats:4222",
        nats_user="notify",
        nats_password=SecretStr("pw"),
        nats_ca_file=ca_file,
    )
    options = connection_options(settings)
    assert (options["user"], options["password"]) == ("notify", "pw")
    assert options["inbox_prefix"] == "_INBOX.notify"
    assert isinstance(options["tls"], ssl.SSLContext)
    assert options["tls"].verify_mode == ssl.CERT_REQUIRED and options["tls"].check_hostname


def test_an_open_server_needs_nothing() -> None:
    assert connection_options(CommonSettings()) == {"inbox_prefix": "_INBOX"}
    assert redis_options(CommonSettings()) == {}


def test_a_service_connects_to_redis_as_its_user_over_verified_tls(ca_file: Path) -> None:
    settings = CommonSettings(
        redis_url="rediss://redis:6379/0",
        redis_user="scoring",
        redis_password=SecretStr("pw"),
        redis_ca_file=ca_file,
    )
    options = redis_options(settings)
    assert options == {
        "username": "scoring",
        "password": "pw",
        "ssl_ca_certs": str(ca_file),
        "ssl_cert_reqs": "required",
    }


def test_settings_that_cannot_work_are_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="NATS_CA_FILE"):
        CommonSettings(nats_ca_file=tmp_path / "missing.pem")
    with pytest.raises(ValidationError, match="NATS_USER and NATS_PASSWORD"):
        CommonSettings(nats_user="api")
    with pytest.raises(ValidationError, match="REDIS_USER needs REDIS_PASSWORD"):
        CommonSettings(redis_user="api")


def test_urls_are_shown_without_their_credentials() -> None:
    assert shown_url("tls://ingest:s3cret@nats:4222") == "tls://nats:4222"
    assert "s3cret" not in shown_url("rediss://api:s3cret@redis:6380/0")
    assert shown_url("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222"
