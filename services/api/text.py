"""Text that callers send: one-line labels and multi-line documents.

Control characters have no place in a label, and NUL cannot be stored in a
PostgreSQL text column at all; both are refused with a 422 naming the field
instead of failing at the database.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must be one line of text without control characters")
    return value


def _document(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]
Document = Annotated[str, AfterValidator(_document)]
