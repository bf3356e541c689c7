"""``python -m services.sandbox``: the certs command and the HTTPS server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cryptography import x509

from services.sandbox.testing import sandbox_tenant

ROOT = Path(__file__).resolve().parents[3]


def test_certs_command_writes_the_ca_and_a_server_certificate(tmp_path: Path) -> None:
    out = tmp_path / "certs"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.sandbox",
            "certs",
            "--out",
            str(out),
            "--name",
            "demo.local",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == str(out / "ca.pem")
    cert = x509.load_pem_x509_certificates((out / "server.pem").read_bytes())[0]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = set(names.get_values_for_type(x509.DNSName))
    ips = {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert {"localhost", "demo.local", "sandbox"} <= dns and "127.0.0.1" in ips
    for name in ("ca.pem", "server-key.pem", "signing-key.pem", "client-cert.pem"):
        assert (out / name).exists()
    ca = (out / "ca.pem").read_bytes()
    subprocess.run(
        [sys.executable, "-m", "services.sandbox", "certs", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert (out / "ca.pem").read_bytes() == ca


def test_server_in_a_subprocess_reads_its_settings_from_the_environment(tmp_path: Path) -> None:
    with sandbox_tenant(
        tmp_path, subprocess=True, people=40, seed=11, concealed_names=False
    ) as tenant:
        state = tenant.state()
        token = tenant.app_token()
        with tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
            report = graph.get(
                "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"
            )
    assert state["people"] == 40 and state["seed"] == 11
    assert state["concealed_names"] is False
    assert "@contoso.be" in report.text
