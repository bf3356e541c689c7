"""Key material of the sandbox: its own CA, TLS server certificate, token signing
key and a client certificate for certificate-based app authentication.

Existing files in the directory are reused, so a client that trusts ``ca.pem``
keeps trusting the sandbox across restarts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

SERVER_NAMES = ("127.0.0.1", "localhost")  # always present: tests and the demo use them
CLIENT_NAME = "uptake-ingest.sandbox.invalid"


@dataclass(frozen=True)
class CertPaths:
    dir: Path

    @property
    def ca(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.dir / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.dir / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.dir / "server-key.pem"

    @property
    def signing_key(self) -> Path:
        return self.dir / "signing-key.pem"

    @property
    def client_cert(self) -> Path:
        return self.dir / "client-cert.pem"

    @property
    def client_key(self) -> Path:
        return self.dir / "client-key.pem"

    def all(self) -> tuple[Path, ...]:
        return (
            self.ca,
            self.ca_key,
            self.server_cert,
            self.server_key,
            self.signing_key,
            self.client_cert,
            self.client_key,
        )


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def ensure_certs(directory: Path, names: tuple[str, ...] = SERVER_NAMES) -> CertPaths:
    """Create whatever key material is missing in ``directory``; return the paths."""
    paths = CertPaths(directory)
    if all(p.exists() for p in paths.all()):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    if paths.ca.exists() and paths.ca_key.exists():
        ca = trustme.CA.from_pem(paths.ca.read_bytes(), paths.ca_key.read_bytes())
    else:
        ca = trustme.CA(organization_name="Uptake sandbox tenant")
        paths.ca.write_bytes(ca.cert_pem.bytes())
        _write_private(paths.ca_key, ca.private_key_pem.bytes())
    if not (paths.server_cert.exists() and paths.server_key.exists()):
        server = ca.issue_cert(*dict.fromkeys((*SERVER_NAMES, *names)))
        paths.server_cert.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
        _write_private(paths.server_key, server.private_key_pem.bytes())
    if not (paths.client_cert.exists() and paths.client_key.exists()):
        client = ca.issue_cert(CLIENT_NAME, key_type=trustme.KeyType.RSA)
        paths.client_cert.write_bytes(client.cert_chain_pems[0].bytes())
        _write_private(paths.client_key, client.private_key_pem.bytes())
    if not paths.signing_key.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(paths.signing_key, pem)
    return paths


def load_private_key(path: Path) -> PrivateKeyTypes:
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def thumbprints(cert_path: Path) -> tuple[str, str]:
    """(SHA-1, SHA-256) thumbprints of a PEM certificate, uppercase hex as Azure shows them."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    return hashlib.sha1(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper()  # noqa: S324
