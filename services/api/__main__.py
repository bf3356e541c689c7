"""``python -m services.api``: serve the gateway with uvicorn."""

from __future__ import annotations

import uvicorn

from services.api.app import create_app
from shared.logs import configure_logging
from shared.settings import ApiSettings


def main() -> None:
    settings = ApiSettings()
    configure_logging("api", settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,  # requests are counted in /metrics; a log line each costs too much
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
