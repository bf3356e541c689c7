"""Entra directory (users/delta) -> ``directory.person`` events, including removals.

Team: ``department / officeLocation`` when both are known, else the department.
Graph has no team attribute; department alone is too coarse for most boards and
the manager chain would cost one request per person. Licensed: the user holds
one of ``GRAPH_COPILOT_SKU_IDS`` when Graph returns ``assignedLicenses``; when it
does not, the user is assumed licensed (the usage report lists licensed users
only, so an unlicensed person merely stays at zero).

An erased person (``shared.suppression``: the pseudonym of their object id, or the
report identity of their userPrincipalName, is listed) is neither published nor
kept, even in a full sync; a key of theirs seen for the first time joins the list.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.ingest.encoding import encode_person
from services.ingest.graph import GraphClient, GraphError
from services.ingest.publisher import Publisher
from services.ingest.state import IngestState
from shared.events import DirectoryPerson
from shared.ids import pseudonym, report_identity
from shared.logs import get_logger

log = get_logger(__name__)

SELECT = "id,displayName,userPrincipalName,department,jobTitle,officeLocation,assignedLicenses"
FIELDS = {
    "displayName": "display_name",
    "userPrincipalName": "upn",
    "department": "department",
    "jobTitle": "job_title",
    "officeLocation": "office_location",
}
EXPIRED_DELTA = frozenset({400, 404, 410})


def team_of(department: str | None, office: str | None) -> str | None:
    if department and office:
        return f"{department} / {office}"
    return department or None


def merge(
    previous: dict[str, Any] | None, item: dict[str, Any], skus: Collection[str]
) -> dict[str, Any]:
    """A delta item carries the changed properties only: lay it over what we knew."""
    user = dict(previous) if previous else {"licensed": True, "upn": None}
    user["object_id"] = item["id"]
    for graph_name, name in FIELDS.items():
        if graph_name in item:
            user[name] = item[graph_name]
    if isinstance(item.get("assignedLicenses"), list):
        held = {str(lic.get("skuId", "")).lower() for lic in item["assignedLicenses"]}
        user["licensed"] = bool(held & {s.lower() for s in skus})
    user["removed"] = "@removed" in item
    for name in FIELDS.values():
        user.setdefault(name, None)
    return user


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def person_fields(user: dict[str, Any], key: str) -> dict[str, Any]:
    """The fields of a ``directory.person`` event for a (merged) directory user."""
    department, office = _text(user["department"]), _text(user["office_location"])
    return {
        "person": pseudonym(user["object_id"], key),
        "display_name": _text(user["display_name"]),
        "department": department,
        "team": team_of(department, office),
        "job_title": _text(user["job_title"]),
        "office_location": office,
        "licensed": bool(user["licensed"]) and not user["removed"],
        "removed": bool(user["removed"]),
    }


def person_event(user: dict[str, Any], key: str) -> DirectoryPerson:
    return DirectoryPerson(**person_fields(user, key))


def keys_of(user: dict[str, Any], key: str) -> set[str]:
    """The suppression-list keys of a (merged) directory user."""
    keys = {pseudonym(user["object_id"], key)}
    if user.get("upn"):
        keys.add(report_identity(str(user["upn"]), key))
    return keys


@dataclass
class DirectoryOutcome:
    changed: int
    removed: int
    full_sync: bool
    withheld: int = 0  # users on the suppression list, neither published nor kept


async def sync_directory(
    graph: GraphClient,
    state: IngestState,
    publisher: Publisher,
    *,
    key: str,
    skus: Collection[str],
    erased: frozenset[str] = frozenset(),
) -> DirectoryOutcome:
    delta_link = await state.watermark("directory_delta")
    try:
        return await _sync(graph, state, publisher, delta_link, key=key, skus=skus, erased=erased)
    except GraphError as exc:
        if delta_link is None or exc.status not in EXPIRED_DELTA:
            raise
        log.warning("directory delta link expired, full sync", status=exc.status, code=exc.code)
        return await _sync(graph, state, publisher, None, key=key, skus=skus, erased=erased)


async def _sync(
    graph: GraphClient,
    state: IngestState,
    publisher: Publisher,
    delta_link: str | None,
    *,
    key: str,
    skus: Collection[str],
    erased: frozenset[str],
) -> DirectoryOutcome:
    known = await state.directory()
    learnt: dict[str, set[str]] = {}  # object id -> keys, of erased users
    changed: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    stamp = now.isoformat()
    final_link: str | None = None
    pages = (
        graph.pages(delta_link)
        if delta_link
        else graph.pages("v1.0/users/delta", {"$select": SELECT})
    )
    async for page in pages:
        for item in page.get("value", []):
            if not isinstance(item, dict) or not item.get("id"):
                await publisher.dead_letter("directory", "user without id", 0, {})
                continue
            user = merge(changed.get(item["id"]) or known.get(item["id"]), item, skus)
            if erased and (keys := keys_of(user, key)) & erased:
                learnt[user["object_id"]] = keys
                continue
            changed[user["object_id"]] = user
            events.append(person_fields(user, key))
        final_link = page.get("@odata.deltaLink") or final_link
    if final_link is None:
        raise GraphError(200, "users/delta", "noDeltaLink", "paging ended without a delta link")
    # encoded as they are published: a full sync holds every person's fields, not their bytes
    await publisher.publish_encoded(
        encode_person(**fields, time=stamp, observed_at=now) for fields in events
    )
    await state.commit_directory(list(changed.values()), final_link, forget=learnt.keys())
    await state.learn_erased(learnt.values())
    removed = sum(1 for u in changed.values() if u["removed"])
    withheld = len(learnt)
    log.info(
        "directory synced",
        changed=len(changed),
        removed=removed,
        withheld=withheld,
        full=delta_link is None,
    )
    return DirectoryOutcome(len(changed), removed, delta_link is None, withheld)
