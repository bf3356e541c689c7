"""The AsyncAPI document: valid AsyncAPI 3.0.0, every subject a channel with its payload,
and a subject the contracts cannot describe stops it from being built."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from devtools.asyncapi_schema import (
    INTEGRITY,
    SCHEMA_FILE,
    SPECS,
    check_integrity,
    outside_refs,
    tarball_integrity,
)
from devtools.npm_vendor import Packed
from shared import asyncapi, subjects
from shared.events import PAYLOAD_TYPES, Payload
from shared.streams import SIGNALS, StreamSpec

Document = dict[str, Any]


@cache
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@cache
def built() -> str:
    return json.dumps(asyncapi.asyncapi_document("1.2.3"))


def document() -> Document:
    loaded: Document = json.loads(built())
    return loaded


def resolve(doc: Document, ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def errors(doc: Document) -> list[str]:
    return [error.message for error in validator().iter_errors(doc)]


def test_the_vendored_schema_is_the_pinned_one_and_needs_no_network() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    readme = (SCHEMA_FILE.parent / "README.md").read_text()

    assert schema["$schema"] == "http://json-schema.org/draft-07/schema"
    assert outside_refs(schema) == set()
    assert f"`{SPECS[0]}@{SPECS[1]}`" in readme and INTEGRITY in readme


def test_the_document_is_valid_asyncapi_3() -> None:
    doc = document()

    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["version"] == "1.2.3"
    assert errors(doc) == []


BREAKAGES: dict[str, Callable[[Document], None]] = {
    "no info": lambda doc: doc.pop("info"),
    "an AsyncAPI 2 action": lambda doc: next(iter(doc["operations"].values())).update(
        action="publish"
    ),
    "a channel with an unknown field": lambda doc: next(iter(doc["channels"].values())).update(
        subscribe={}
    ),
    "a server without host": lambda doc: next(iter(doc["servers"].values())).pop("host"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_a_broken_document_fails_validation(name: str) -> None:
    doc = document()
    BREAKAGES[name](doc)

    assert errors(doc), name


def test_every_subject_is_sent_and_received_with_its_cloud_event_payload() -> None:
    doc = document()
    declared = {
        value for name, value in vars(subjects).items() if name.isupper() and isinstance(value, str)
    }
    by_address: dict[str, dict[str, Any]] = {}
    for key, channel in doc["channels"].items():
        by_address.setdefault(channel["address"], {})[key] = channel

    assert set(by_address) == {asyncapi.address_of(subject) for subject in declared}
    assert {m.subject_name for m in PAYLOAD_TYPES.values()} <= declared
    for subject, channels in by_address.items():
        payload = asyncapi.payload_of(subject.removesuffix(".{partition}"))
        actions = {doc["operations"][key]["action"] for key in channels}
        assert actions == {"send", "receive"}, subject
        for channel in channels.values():
            assert channel["bindings"]["nats"]["subject"] == subject
            assert "Published by" in channel["description"], subject
            assert "consumed by" in channel["description"], subject
            (message_ref,) = (m["$ref"] for m in channel["messages"].values())
            envelope = resolve(doc, resolve(doc, message_ref)["payload"]["$ref"])
            assert_cloud_event_of(doc, envelope, payload)


def assert_cloud_event_of(doc: Document, envelope: Any, payload: type[Payload]) -> None:
    assert envelope["properties"]["specversion"]["const"] == "1.0"
    assert envelope["properties"]["type"]["const"] == payload.event_type
    assert {"id", "source", "type", "time", "data"} <= set(envelope["required"])
    data = resolve(doc, envelope["properties"]["data"]["$ref"])
    expected = payload.model_json_schema()
    assert data["title"] == payload.__name__
    assert set(data["properties"]) == set(expected["properties"])
    assert set(data.get("required", [])) == set(expected.get("required", []))
    assert data["additionalProperties"] is False


def test_the_streams_are_named_as_shared_streams_lays_them_out() -> None:
    channels = document()["channels"].values()
    activity = [c for c in channels if c["address"] == subjects.COPILOT_ACTIVITY]
    awards = [c for c in channels if c["address"] == subjects.AWARDS_POINTS]

    assert all("stream SIGNALS" in c["description"] for c in activity)
    assert all("Published by ingest" in c["description"] for c in activity)
    assert all("stream AWARDS" in c["description"] for c in awards)
    assert all("notify-awards" in c["description"] for c in awards)


def test_a_subject_without_a_payload_model_fails_loudly() -> None:
    with pytest.raises(asyncapi.UndescribedSubject, match=r"signals\.mystery: 0 payload models"):
        asyncapi.described_broker({"MYSTERY": "signals.mystery"})


def test_a_subject_without_a_route_fails_loudly() -> None:
    with pytest.raises(asyncapi.UndescribedSubject, match=r"awards\.points: no route"):
        asyncapi.described_broker({"AWARDS_POINTS": subjects.AWARDS_POINTS}, routes={})


def test_a_subject_in_no_stream_or_in_two_fails_loudly() -> None:
    with pytest.raises(asyncapi.UndescribedSubject, match="in 0 streams"):
        asyncapi.stream_of("elsewhere.points")
    twice = StreamSpec("TWICE", ("signals.>",), max_age_seconds=1)
    with pytest.raises(asyncapi.UndescribedSubject, match="in 2 streams"):
        asyncapi.stream_of(subjects.COPILOT_ACTIVITY, (SIGNALS, twice))


def test_a_partition_token_is_covered_by_a_wildcard_filter_only() -> None:
    partitioned = "signals.copilot.activity.{partition}"
    by_token = StreamSpec("SIGNALS", ("signals.copilot.activity.*",), max_age_seconds=1)
    by_tail = StreamSpec("SIGNALS", ("signals.>",), max_age_seconds=1)

    assert asyncapi.stream_of(partitioned, (by_token,)) is by_token
    assert asyncapi.stream_of(partitioned, (by_tail,)) is by_tail
    assert asyncapi.stream_of(partitioned, (SIGNALS,)) is SIGNALS
    with pytest.raises(asyncapi.UndescribedSubject):
        asyncapi.stream_of("signals.copilot.unattributed.{partition}", (SIGNALS,))


async def test_the_described_handler_refuses_to_consume() -> None:
    route = asyncapi.ROUTES[subjects.AWARDS_BADGE]
    envelope = asyncapi.envelope_of(asyncapi.payload_of(subjects.AWARDS_BADGE))
    handler = asyncapi.refusing_handler(subjects.AWARDS_BADGE, route, envelope)

    assert handler.__annotations__["event"] is envelope
    with pytest.raises(RuntimeError, match=r"awards\.badge is read by notify"):
        await handler(envelope.model_construct())


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "specs.tgz"
    tarball.write_bytes(b"not the package")
    packed = Packed(*SPECS, INTEGRITY, tmp_path)

    assert tarball_integrity(tarball).startswith("sha512-")
    with pytest.raises(SystemExit, match="tarball integrity"):
        check_integrity(packed, tarball)
    with pytest.raises(SystemExit, match="npm integrity"):
        check_integrity(Packed(*SPECS, "sha512-other", tmp_path), tarball)
    pinned = tarball_integrity(tarball)
    check_integrity(Packed(*SPECS, pinned, tmp_path), tarball, expected=pinned)
