"""The Redis client the services share (leaderboards and other caches)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from shared.logs import get_logger
from shared.settings import CommonSettings

log = get_logger(__name__)


def redis_options(settings: CommonSettings) -> dict[str, Any]:
    """This service's ACL user and TLS trust, besides what ``REDIS_URL`` says.

    A CA file verifies the server's certificate, host name included; a
    ``rediss://`` URL without one trusts the system's CAs.
    """
    options: dict[str, Any] = {}
    if settings.redis_password is not None:
        options["password"] = settings.redis_password.get_secret_value()
        if settings.redis_user is not None:
            options["username"] = settings.redis_user
    if settings.redis_ca_file is not None:
        if not settings.redis_url.startswith("rediss://"):
            raise ValueError("REDIS_CA_FILE is set, so REDIS_URL must start with rediss://")
        options["ssl_ca_certs"] = str(settings.redis_ca_file)
        options["ssl_cert_reqs"] = "required"
    if settings.environment == "production":
        if "password" not in options and "@" not in settings.redis_url:
            log.warning("Redis connection without credentials: set REDIS_USER and REDIS_PASSWORD")
        if not settings.redis_url.startswith("rediss://"):
            log.warning("Redis connection without TLS: use a rediss:// URL and REDIS_CA_FILE")
    return options


def create_redis(target: CommonSettings | str) -> Redis:
    """A client for a service's settings, or for a bare URL (the embedded server, tests).

    No CLIENT SETINFO on connecting: the ACL users may not run it (older servers do
    not know it), and a refusal on every connection would fill the ACL log.
    """
    if isinstance(target, str):
        url, options = target, {}
    else:
        url, options = target.redis_url, redis_options(target)
    return Redis.from_url(
        url, decode_responses=False, health_check_interval=30, driver_info=None, **options
    )
