"""The sandbox tenant with its sign-in page, and a gateway that signs browsers in with it."""

from __future__ import annotations

from tests.integration.api.signin import sandbox, signin_server, signin_settings

__all__ = ["sandbox", "signin_server", "signin_settings"]
