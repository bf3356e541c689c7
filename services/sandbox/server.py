"""Running the sandbox app under uvicorn with TLS, in the foreground or a thread."""

from __future__ import annotations

import gc
import threading
import time

import uvicorn

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import build_state
from shared.logs import configure_logging, get_logger


def uvicorn_config(settings: SandboxSettings) -> uvicorn.Config:
    state = build_state(settings)
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


def serve(settings: SandboxSettings) -> None:
    configure_logging("sandbox")
    config = uvicorn_config(settings)
    # The organisation and its model live for the whole run: keep them out of collections,
    # and collect less often (pages allocate many short-lived strings and lists).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    get_logger("sandbox").info(
        "sandbox tenant listening",
        url=f"https://{settings.host}:{settings.port}",
        tenant_id=settings.tenant_id,
        people=settings.people,
        ca=str(settings.dir / "ca.pem"),
    )
    uvicorn.Server(config).run()


class ThreadedServer:
    """A uvicorn server in a daemon thread, for tests."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.server = uvicorn.Server(uvicorn_config(settings))
        self.thread = threading.Thread(target=self.server.run, name="sandbox", daemon=True)

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox tenant did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # idle keep-alive clients must not hold up a test
        self.thread.join(timeout=10)
