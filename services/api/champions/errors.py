"""Why the programme refuses a request, as the HTTP status it answers with."""

from __future__ import annotations

from fastapi import HTTPException


class Refused(Exception):
    """A request the programme's rules refuse; nothing of it is written."""

    status = 400

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after

    def http(self) -> HTTPException:
        headers = None if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return HTTPException(self.status, self.detail, headers=headers)


class Invalid(Refused):
    """Input that passed validation but breaks a rule; answered like a validation error."""

    status = 422

    def http(self) -> HTTPException:
        return invalid(self.detail)


def invalid(message: str, *where: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors (``detail`` is a list)."""
    location = ["body", *where]
    return HTTPException(422, [{"loc": location, "msg": message, "type": "value_error"}])


class Forbidden(Refused):
    status = 403


class NotFound(Refused):
    status = 404


class Conflict(Refused):
    status = 409


class Expired(Refused):
    status = 410


class TooMany(Refused):
    status = 429
