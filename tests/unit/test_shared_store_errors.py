"""Which database errors are an outage to wait out, and which a statement's own failure."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from shared.database import store_unreachable


class DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter carries: the server's SQLSTATE."""

    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def wrapped(sqlstate: str | None, kind: type[DBAPIError] = DBAPIError) -> DBAPIError:
    return kind("SELECT 1", None, DriverError(sqlstate))


@pytest.mark.parametrize(
    "exc",
    [
        wrapped("57P03"),  # cannot connect now: starting up or shutting down
        wrapped("57P01"),  # terminated by an administrator
        wrapped("08006"),  # connection failure
        wrapped(None, OperationalError),
        ConnectionRefusedError("connection refused"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        TimeoutError(),
        DBAPIError("SELECT 1", None, DriverError(None), connection_invalidated=True),
    ],
)
def test_an_outage_is_waited_out(exc: BaseException) -> None:
    assert store_unreachable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        wrapped("23505", IntegrityError),  # unique violation
        wrapped("22P02"),  # invalid text representation
        wrapped("42P01", ProgrammingError),  # no such table
        wrapped(None),
        ValueError("bad value"),
        RuntimeError("rule engine exploded"),
    ],
)
def test_a_statement_failure_is_not(exc: BaseException) -> None:
    assert not store_unreachable(exc)
