"""OpenAPI entries for the answers community routes give besides the usual ones."""

from __future__ import annotations

from pydantic import BaseModel

from services.api.schemas import ErrorMessage, errors

DESCRIBED = {
    409: "Conflicts with what exists (an id used for something else, a decision taken)",
    410: "No longer valid (an expired code)",
    429: "Too many requests; Retry-After says when to try again",
}


def answers(*codes: int) -> dict[int | str, dict[str, object]]:
    """Like :func:`services.api.schemas.errors`, also for 409, 410 and 429."""
    usual = errors(*(code for code in codes if code not in DESCRIBED))
    extra: dict[int | str, dict[str, object]] = {
        code: {"model": ErrorMessage, "description": DESCRIBED[code]}
        for code in codes
        if code in DESCRIBED
    }
    return usual | extra


def retried(model: type[BaseModel]) -> dict[int | str, dict[str, object]]:
    """The 200 a create answers when the same request comes again."""
    return {200: {"model": model, "description": "Sent again: what the first request made"}}
