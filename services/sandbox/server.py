"""Running the sandbox app under uvicorn with TLS, in the foreground or a thread.

With ``SANDBOX_BROWSER_PORT`` a second, plain HTTP listener serves the sign-in page
to browsers (``create_browser_app``); it starts and stops with the main one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from collections.abc import Iterator

import uvicorn

from services.sandbox.app import create_app, create_browser_app
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import SandboxState, build_state
from shared.logs import configure_logging, get_logger


class _Follower(uvicorn.Server):
    """A server that leaves signals to the main one and stops when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_config(settings: SandboxSettings, state: SandboxState | None = None) -> uvicorn.Config:
    state = state or build_state(settings)
    return uvicorn.Config(
        create_app(state=state),
        host=settings.host,
        port=settings.port,
        ssl_certfile=str(state.certs.server_cert),
        ssl_keyfile=str(state.certs.server_key),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )


def browser_server(settings: SandboxSettings, state: SandboxState) -> uvicorn.Server | None:
    if settings.browser_port is None:
        return None
    config = uvicorn.Config(
        create_browser_app(state),
        host=settings.host,
        port=settings.browser_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return _Follower(config)


async def serve_together(main: uvicorn.Server, browser: uvicorn.Server | None) -> None:
    follower = asyncio.create_task(browser.serve()) if browser is not None else None
    try:
        await main.serve()
    finally:
        if browser is not None and follower is not None:
            browser.should_exit = True
            browser.force_exit = main.force_exit
            await follower


def serve(settings: SandboxSettings) -> None:
    configure_logging("sandbox")
    state = build_state(settings)
    main = uvicorn.Server(uvicorn_config(settings, state))
    browser = browser_server(settings, state)
    # The organisation and its model live for the whole run: keep them out of collections,
    # and collect less often (pages allocate many short-lived strings and lists).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    get_logger("sandbox").info(
        "sandbox tenant listening",
        url=f"https://{settings.host}:{settings.port}",
        signin_url=(
            f"http://{settings.host}:{settings.browser_port}" if settings.browser_port else None
        ),
        tenant_id=settings.tenant_id,
        people=settings.people,
        ca=str(settings.dir / "ca.pem"),
    )
    asyncio.run(serve_together(main, browser))


class ThreadedServer:
    """A uvicorn server (and its browser listener, if any) in a daemon thread, for tests."""

    def __init__(self, settings: SandboxSettings) -> None:
        state = build_state(settings)
        self.server = uvicorn.Server(uvicorn_config(settings, state))
        self.browser = browser_server(settings, state)
        self.thread = threading.Thread(
            target=lambda: asyncio.run(serve_together(self.server, self.browser)),
            name="sandbox",
            daemon=True,
        )

    def _started(self) -> bool:
        return self.server.started and (self.browser is None or self.browser.started)

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self._started():
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox tenant did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # idle keep-alive clients must not hold up a test
        self.thread.join(timeout=10)
