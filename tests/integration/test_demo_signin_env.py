"""The demo's environment lets the gateway accept the sandbox tenant's tokens."""

from __future__ import annotations

from pathlib import Path

from devtools.demo import Ports, demo_environment, sandbox_ca
from devtools.demo_signin import AUDIENCE, Demo


def test_the_gateway_trusts_the_sandbox_issuer_audience_and_ca(tmp_path: Path) -> None:
    env = demo_environment(tmp_path, Ports(4001, 4002, 4003, 4004, 4005))

    assert env["API_AUTH_ISSUER"] == f"{env['GRAPH_AUTHORITY']}/v2.0"
    assert env["API_AUTH_ISSUER"].startswith("https://127.0.0.1:4004/")
    assert env["API_AUTH_AUDIENCE"] == AUDIENCE == "api://uptake"
    assert env["API_AUTH_CA_BUNDLE"] == str(sandbox_ca(tmp_path))
    demo = Demo.from_env(env)
    assert (demo.sandbox, demo.gateway) == ("https://127.0.0.1:4004", "http://127.0.0.1:4005")
