"""Schemathesis against the OpenAPI document: no input, valid or not, makes the gateway fail.

The gateway and a stand-in tenant run in threads with their own event loops,
as schemathesis calls them synchronously; an admin token is sent so admin
routes are exercised beyond their 401.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.api.app import create_app
from shared.settings import ApiSettings
from tests.integration.api.tenant import KEYS_PATH, SigningKey, Tenant, tenant_app
from tests.integration.api.threaded import serve_in_thread


@dataclass
class Fuzzed:
    url: str
    admin: str


@pytest.fixture
def fuzzed(api_settings: ApiSettings) -> Iterator[Fuzzed]:
    tenant = Tenant("", [SigningKey("key-1")])
    with serve_in_thread(tenant_app(tenant), lifespan="off") as tenant_url:
        tenant.jwks_uri = f"{tenant_url}{KEYS_PATH}"
        settings_ = api_settings.model_copy(update={"api_auth_jwks_uri": tenant.jwks_uri})
        with serve_in_thread(create_app(settings_)) as url:
            yield Fuzzed(url, tenant.token(oid="fuzz-admin", roles=["Admin"]))


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_no_input_makes_the_gateway_fail(fuzzed: Fuzzed) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    headers = {"Authorization": f"Bearer {fuzzed.admin}"}
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        if operation.path != "/api/live"  # an endless stream: test_live covers it
    ]
    assert len(operations) >= 25

    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(base_url=fuzzed.url, headers=headers, checks=CHECKS)

        try:
            exercise()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing in this operation can be invalid
