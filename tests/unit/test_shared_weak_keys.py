"""Production refuses weak secret keys: too short, too plain, or published in this repository.

Every value this repository gives ``PSEUDONYM_KEY`` or ``ENGAGE_TOKEN_KEY`` anywhere
(settings defaults, docker-compose, Kubernetes examples, READMEs, scripts, tests and
benchmarks) is found by reading the files, so a key added to an example later is refused
too, or this test says which one slipped through.
"""

from __future__ import annotations

import base64
import re
import secrets
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from shared.settings import CommonSettings, NotifySettings

ROOT = Path(__file__).resolve().parents[2]
SCANNED_SUFFIXES = {".py", ".md", ".yml", ".yaml", ".env", ".toml", ".conf", ".sh", ".txt", ""}
SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".mypy_cache"}
# The default docker-compose gave before it required a key: published, so refused forever.
FORMER_COMPOSE_DEFAULT = "compose-demo-pseudonym-key-change-me"

# NAME = value, NAME: value, NAME=value, "name": value, name=value, ${NAME:-value}
ASSIGNMENT = r"""["']?\s*(?::-|[:=])\s*(?:SecretStr\()?\s*(?:\$\{\w+:-)?["']?([^"'`\s,)}]+)"""


def _repository_files() -> list[Path]:
    """Files git keeps or would keep (a local, ignored ``.env`` is nobody's published key)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        candidates = [ROOT / name for name in listed]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        candidates = [
            path
            for path in ROOT.rglob("*")
            if not any(part in SKIPPED_DIRS for part in path.relative_to(ROOT).parts)
        ]
    return [path for path in candidates if path.is_file() and path.suffix in SCANNED_SUFFIXES]


def quoted(text: str, match: re.Match[str]) -> bool:
    return text[match.start(1) - 1] in "\"'"


def published_values(setting: str) -> dict[str, str]:
    """Each value the repository assigns to ``setting`` -> where it was found.

    A Python name on the right (``pseudonym_key=KEY``) is followed to its string
    constant in the same file.
    """
    pattern = re.compile(rf"(?i)\b\w*{setting}{ASSIGNMENT}")
    found: dict[str, str] = {}
    for path in _repository_files():
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        for match in pattern.finditer(text):
            value = match.group(1)
            constant = re.search(rf"""(?m)^\s*{re.escape(value)}\s*=\s*["']([^"']+)["']""", text)
            if constant:
                value = constant.group(1)
            elif path.suffix == ".py" and not quoted(text, match):
                continue  # a name from elsewhere or an expression, not a literal key
            if value in {"...", "''", '""'} or value.startswith("$"):
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(value, f"{path.relative_to(ROOT)}:{line}")
    return found


def test_the_scan_finds_the_keys_this_repository_publishes() -> None:
    keys = published_values("pseudonym_key")
    assert "uptake-development-key-change-me" in keys  # the development default
    assert FORMER_COMPOSE_DEFAULT in keys  # named in this file
    assert any(v.startswith("CHANGE-ME") for v in keys)  # the Kubernetes example


@pytest.mark.parametrize("value", sorted(published_values("pseudonym_key")))
def test_production_refuses_every_pseudonym_key_found_in_the_repository(value: str) -> None:
    with pytest.raises(ValidationError, match="PSEUDONYM_KEY"):
        CommonSettings(environment="production", pseudonym_key=SecretStr(value))


def test_production_refuses_the_former_compose_default() -> None:
    with pytest.raises(ValidationError, match="published"):
        CommonSettings(environment="production", pseudonym_key=SecretStr(FORMER_COMPOSE_DEFAULT))


def test_production_refuses_a_pseudonym_key_shorter_than_32_bytes() -> None:
    short = secrets.token_hex(16)[:31]
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        CommonSettings(environment="production", pseudonym_key=SecretStr(short))
    # multi-byte characters count as the bytes they take: 8 of them and 16 more make 32
    accented = "éàüç" * 2 + secrets.token_hex(8)
    CommonSettings(environment="production", pseudonym_key=SecretStr(accented))


def test_production_refuses_a_plain_or_placeholder_key() -> None:
    for plain in ("a" * 40, "0123" * 10, "my-key-CHANGE-ME-" + secrets.token_hex(16)):
        with pytest.raises(ValidationError, match="PSEUDONYM_KEY"):
            CommonSettings(environment="production", pseudonym_key=SecretStr(plain))


def test_production_accepts_a_generated_key_and_says_how_to_make_one() -> None:
    settings = CommonSettings(
        environment="production", pseudonym_key=SecretStr(secrets.token_hex(32))
    )
    assert settings.environment == "production"
    with pytest.raises(ValidationError, match="openssl rand"):
        CommonSettings(environment="production")


def test_development_keeps_its_default_key() -> None:
    assert CommonSettings(environment="development").pseudonym_key.get_secret_value()


def test_engage_token_key_must_be_a_fernet_key_everywhere() -> None:
    NotifySettings(engage_token_key=SecretStr(Fernet.generate_key().decode()))
    for wrong in ("too-short", base64.urlsafe_b64encode(b"x" * 16).decode()):
        with pytest.raises(ValidationError, match=r"ENGAGE_TOKEN_KEY.*Fernet"):
            NotifySettings(engage_token_key=SecretStr(wrong))


def _production_notify(token_key: str) -> NotifySettings:
    return NotifySettings(
        environment="production",
        pseudonym_key=SecretStr(secrets.token_hex(32)),
        engage_token_key=SecretStr(token_key),
    )


def test_production_refuses_a_plain_engage_token_key() -> None:
    plain = base64.urlsafe_b64encode(bytes(32)).decode()  # a valid Fernet key of zeros
    with pytest.raises(ValidationError, match="ENGAGE_TOKEN_KEY"):
        _production_notify(plain)
    assert _production_notify(Fernet.generate_key().decode()).engage_token_key


def test_production_refuses_every_engage_token_key_found_in_the_repository() -> None:
    # A pseudonym key published here is no secret either, as a token cache key.
    published = {**published_values("pseudonym_key"), **published_values("engage_token_key")}
    for value, where in published.items():
        with pytest.raises(ValidationError, match="ENGAGE_TOKEN_KEY"):
            _production_notify(value)
            pytest.fail(f"ENGAGE_TOKEN_KEY from {where} accepted")
