"""Why a community write was refused, as an HTTP answer the routers pass on."""

from __future__ import annotations

from fastapi import HTTPException


class Refused(Exception):
    """A rule refuses the write; nothing was written. ``status`` is the HTTP answer."""

    def __init__(self, status: int, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after

    def http(self) -> HTTPException:
        headers = None if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return HTTPException(self.status, self.detail, headers=headers)
