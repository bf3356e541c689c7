"""Structured logging: one JSON object per line, nothing secret.

Redaction runs last, after exceptions and stacks are formatted into text, over
every value however deeply nested (dicts, lists, objects by their ``repr``), for
structlog and standard-library records (uvicorn, httpx) alike. It takes out
URL-borne secrets (webhook ``sig=``, ``token=``, OAuth ``code=``, access and
client secrets), ``Bearer`` tokens, passwords in connection URLs, and the values
of fields named like a secret.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog

MASK = "***"
_VALUE = r"[^&\s\"'\\<>,;)]+"
# name=value where the name is, or ends in, something secret: sig, signature, token,
# access_token, client_secret, password ...; OAuth's code only as a query parameter.
_SECRET_PARAM = re.compile(
    r"((?:(?<![\w-])|(?<=[?&]))(?:sig|signature|[\w-]*token|[\w-]*secret|[\w-]*password|passwd)=)"
    + _VALUE
    + r"|((?<=[?&])code=)"
    + _VALUE,
    re.I,
)
_BEARER = re.compile(r"\b(Bearer\s+)[\w.~+/=-]+", re.I)
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s/:@\"'<>]*:)[^\s/@\"'<>]+(@)", re.I)
_SECRET_FIELDS = re.compile(
    r"^(?:authorization|cookie|set-cookie|sig|signature|.*token|.*secret|.*password|passwd)$",
    re.I,
)
_PLAIN = (int, float, bool, type(None))
_KEPT_FIELDS = frozenset({"exc_info", "stack_info"})  # formatted into text before we run


def redact_text(text: str) -> str:
    """``text`` with every secret this module knows replaced by ``***``."""
    text = _SECRET_PARAM.sub(lambda m: (m.group(1) or m.group(2)) + MASK, text)
    text = _BEARER.sub(r"\1" + MASK, text)
    return _URL_PASSWORD.sub(r"\1" + MASK + r"\2", text)


def redact(value: Any) -> Any:
    """A copy of ``value`` with secrets masked, at any depth; other objects by their repr."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return {
            key: MASK if _secret_field(key, item) else redact(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    return redact_text(repr(value))


def _secret_field(key: object, value: object) -> bool:
    return isinstance(key, str) and _SECRET_FIELDS.match(key) is not None and bool(value)


def _redact(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        if key.startswith("_") or key in _KEPT_FIELDS
        else MASK
        if _secret_field(key, value)
        else redact(value)
        for key, value in event_dict.items()
    }


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """Route structlog and the standard library through one JSON renderer."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Exceptions become text first, so that the text is redacted like everything else.
    last: list[Any] = [
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        _redact,
    ]
    structlog.configure(
        processors=[*shared, *last, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *last,
                renderer,
            ],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "msal", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
