"""Signing in to the demo: the gateway signs browsers in with the sandbox tenant, and tokens
for curl come from it too.

``api_auth_environment`` is what the gateway needs for both: the sandbox's issuer, the
``api://uptake`` audience and its CA (bearer tokens), and the sandbox app's client id and
secret with the gateway's public address (browser sign-in, redirect URI
``<public url>/auth/callback``). In a browser, open ``/me`` or ``/admin`` and click
"Sign in with Microsoft": the sandbox's picker lets you choose anyone.

``python -m devtools.demo_signin`` asks the running demo's sandbox for an access token,
for scripts and curl::

    .venv/bin/python -m devtools.demo_signin            # person 0: Admin and Insights.Read
    .venv/bin/python -m devtools.demo_signin --index 7  # someone else, with their demo roles
    .venv/bin/python -m devtools.demo_signin --upn someone@... --roles Admin
    curl -H "Authorization: Bearer $(.venv/bin/python -m devtools.demo_signin --token-only)" \\
        http://127.0.0.1:8000/api/me
"""

from __future__ import annotations

import argparse
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENV = ROOT / "var" / "demo" / "demo.env"
AUDIENCE = "api://uptake"


def api_auth_environment(
    authority: str,
    ca_bundle: Path,
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    public_url: str | None = None,
) -> dict[str, str]:
    """API_AUTH_* for a sandbox tenant at ``authority`` (``https://host:port/<tenant id>``);
    with a client id, browsers sign in too (API_PUBLIC_URL gives the redirect URI)."""
    env = {
        "API_AUTH_ISSUER": f"{authority}/v2.0",
        "API_AUTH_AUDIENCE": AUDIENCE,
        "API_AUTH_CA_BUNDLE": str(ca_bundle),
    }
    if client_id:
        env["API_AUTH_CLIENT_ID"] = client_id
    if client_secret:
        env["API_AUTH_CLIENT_SECRET"] = client_secret
    if public_url:
        env["API_PUBLIC_URL"] = public_url
    return env


@dataclass(frozen=True)
class Demo:
    sandbox: str  # https://127.0.0.1:<port>
    ca_bundle: Path
    gateway: str  # http://127.0.0.1:<port>

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Demo:
        return cls(
            sandbox=env["GRAPH_BASE_URL"],
            ca_bundle=Path(env["GRAPH_CA_BUNDLE"]),
            gateway=f"http://{env.get('API_HOST', '127.0.0.1')}:{env['API_PORT']}",
        )


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def issue_token(
    demo: Demo, *, index: int = 0, upn: str | None = None, roles: list[str] | None = None
) -> str:
    """An access token for the gateway from the sandbox (roles default to the demo's)."""
    body = {
        "upn": upn,
        "index": None if upn else index,
        "roles": roles,
        "scope": f"{AUDIENCE}/.default",
    }
    with httpx.Client(
        verify=ssl.create_default_context(cafile=demo.ca_bundle), timeout=10
    ) as client:
        response = client.post(f"{demo.sandbox}/sandbox/tokens/user", json=body)
        response.raise_for_status()
        return str(response.json()["access_token"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.demo_signin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--env", type=Path, default=DEMO_ENV, help="the demo's environment file")
    parser.add_argument("--index", type=int, default=0, help="sandbox person (0 is an admin)")
    parser.add_argument("--upn", help="sandbox person by user principal name")
    parser.add_argument("--roles", nargs="*", help="override the person's demo roles")
    parser.add_argument("--token-only", action="store_true", help="print just the token")
    args = parser.parse_args(argv)
    if not args.env.is_file():
        sys.stderr.write(f"no demo environment at {args.env}: start `make demo` first\n")
        return 2
    demo = Demo.from_env(read_env_file(args.env))
    try:
        token = issue_token(demo, index=args.index, upn=args.upn, roles=args.roles)
    except httpx.HTTPError as exc:
        sys.stderr.write(f"the sandbox gave no token ({exc}); is `make demo` running?\n")
        return 1
    if args.token_only:
        sys.stdout.write(token + "\n")
        return 0
    lines = [
        f"  API calls: curl -H 'Authorization: Bearer {token}' {demo.gateway}/api/me",
        f"  In a browser: open {demo.gateway}/me and click 'Sign in with Microsoft'.",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
