"""The gateway fixtures of the API integration tests, reused by the browser tests."""

from tests.integration.api.conftest import api_settings, live_server, tenant

__all__ = ["api_settings", "live_server", "tenant"]
