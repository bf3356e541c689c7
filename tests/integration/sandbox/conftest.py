"""A shared sandbox tenant for read-only tests; tests that move its clock or
change its options start their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.sandbox.testing import SandboxHandle, sandbox_tenant

END = dt.date(2025, 6, 18)  # a Wednesday, so that the last days hold workdays


@pytest.fixture(scope="session")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    with sandbox_tenant(
        tmp_path_factory.mktemp("tenant"),
        people=150,
        end_date=END,
        page_size=40,
        delta_page_size=50,
        concealed_names=False,
    ) as handle:
        yield handle


@pytest.fixture
def own_tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=80, end_date=END, page_size=25) as handle:
        yield handle


@pytest.fixture(scope="session")
def graph(tenant: SandboxHandle) -> Iterator[httpx.Client]:
    with tenant.http(headers={"Authorization": f"Bearer {tenant.app_token()}"}) as client:
        yield client
