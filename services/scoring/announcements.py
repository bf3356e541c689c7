"""Award events for notify and the live screens, one per new ledger row worth telling.

All of them travel in CloudEvents JSON batch messages: points awards, one per
scored signal, fire and forget (:class:`PointsBatches`); badges, levels and
challenges acknowledged by JetStream (:func:`announce`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from hashlib import sha256
from typing import Any, Literal

import orjson
from nats.js import JetStreamContext

from services.scoring.domain.model import Award, AwardKind
from services.scoring.domain.rules import RuleSet
from services.scoring.store.directory import Membership
from shared.bus import (
    BATCH_BYTES,
    BATCH_CONTENT_TYPE,
    BATCH_EVENTS,
    EncodedEvent,
    batched,
    publish_encoded_many,
)
from shared.events import (
    AwardBase,
    BadgeAwarded,
    ChallengeCompleted,
    CloudEvent,
    LevelReached,
    PointsAwarded,
)
from shared.ids import event_id
from shared.languages import Text

SOURCE = "uptake/scoring"
POINTS_TYPE = PointsAwarded.event_type
# event_id(POINTS_TYPE, key) is the hash of this prefix and the key.
POINTS_ID_PREFIX = (POINTS_TYPE + "\x1f").encode()
START = b'{"specversion":"1.0","id":"'


def challenge_event(
    award: Award,
    member: Membership | None,
    scope: Literal["person", "team", "department"],
    winner: str,
    rank: int,
    value: float,
) -> ChallengeCompleted:
    return ChallengeCompleted(
        person=award.person,
        rule=award.rule,
        ruleset_version=award.version,
        activity_date=award.day,
        team=member.team if member else None,
        department=member.department if member else None,
        ledger_key=award.key,
        challenge=award.ref or "",
        title=award.title or "",
        titles=titles_of(award),
        scope=scope,
        winner=winner,
        rank=rank,
        value=value,
    )


def titles_of(award: Award, rules: RuleSet | None = None) -> dict[str, str]:
    """The award's title per language, where the rule set gives more than its own language.

    A fresh award carries its rule-set :class:`Text`; one read back from the ledger
    (announced again after a redelivery) has a plain title, looked up in ``rules``.
    """
    title = award.title
    if not isinstance(title, Text) and rules is not None:
        title = _rule_title(rules, award)
    if not isinstance(title, Text) or not set(title.texts) - {title.language}:
        return {}
    return {language: text for language, text in title.texts.items()}


def _rule_title(rules: RuleSet, award: Award) -> Text | None:
    titled: list[tuple[str, Text]] = []
    if award.kind == AwardKind.BADGE:
        titled = [(badge.id, badge.title) for badge in rules.badges]
    elif award.kind == AwardKind.LEVEL:
        titled = [(str(level.level), level.title) for level in rules.levels]
    elif award.kind == AwardKind.CHALLENGE:
        titled = [(challenge.id, challenge.title) for challenge in rules.challenges]
    return next((title for ref, title in titled if ref == award.ref), None)


ENVELOPES: dict[type[AwardBase], type[CloudEvent[Any]]] = {
    model: CloudEvent[model]  # type: ignore[valid-type]
    for model in (PointsAwarded, BadgeAwarded, LevelReached, ChallengeCompleted)
}


def envelope(payload: AwardBase, now: datetime) -> CloudEvent[Any]:
    return ENVELOPES[type(payload)](
        id=event_id(payload.event_type, *payload.identity()),
        source=SOURCE,
        type=payload.event_type,
        time=now,
        subject=payload.subject_of(),
        data=payload,
    )


def points_event(
    award: Award, member: Membership | None, total: int | None, now: str
) -> tuple[str, bytes]:
    """An awards.points CloudEvent as JSON, built without pydantic: one per scoring signal.

    Same document as ``CloudEvent.wrap(PointsAwarded(...)).to_bytes()`` (the
    unit tests parse it back), at a fraction of the cost.
    """
    data = _award_data(award, member, {"points": award.points})
    if total is not None:
        data["total"] = total
    identity = event_id(PointsAwarded.event_type, award.key)
    return identity, _document(identity, PointsAwarded.event_type, award.person, data, now)


def held_event(
    award: Award, member: Membership | None, now: str, rules: RuleSet | None = None
) -> EncodedEvent | None:
    """awards.badge or awards.level as JSON, built without pydantic; None for other awards.

    A campaign's first days hand out about one badge for every two signals, so
    these are many too. Same document as the pydantic ``BadgeAwarded`` or ``LevelReached`` in
    :func:`envelope` (the unit tests parse both back).
    """
    model: type[AwardBase]
    fields: dict[str, Any]
    if award.kind == AwardKind.BADGE:
        model, fields = BadgeAwarded, {"badge": award.ref or "", "title": str(award.title or "")}
    elif award.kind == AwardKind.LEVEL:
        level = int(award.ref or 0)
        model, fields = LevelReached, {"level": level, "title": str(award.title or "")}
    else:
        return None
    titles = titles_of(award, rules)
    if titles:
        fields["titles"] = titles
    identity = event_id(model.event_type, award.key)
    body = _document(
        identity, model.event_type, award.person, _award_data(award, member, fields), now
    )
    return EncodedEvent(model.subject_name, identity, model.event_type, body)


def _award_data(award: Award, member: Membership | None, fields: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": award.person,
        "rule": award.rule,
        "ruleset_version": award.version,
        "activity_date": award.day.isoformat(),
        "ledger_key": award.key,
        **fields,
    }
    if member is not None and member.team is not None:
        data["team"] = member.team
    if member is not None and member.department is not None:
        data["department"] = member.department
    return data


def _document(
    identity: str, event_type: str, subject: str, data: dict[str, Any], now: str
) -> bytes:
    return orjson.dumps(
        {
            "specversion": "1.0",
            "id": identity,
            "source": SOURCE,
            "type": event_type,
            "time": now,
            "subject": subject,
            "datacontenttype": "application/json",
            "data": data,
        }
    )


class PointsBatches:
    """awards.points events packed into CloudEvents JSON batch messages, built from pieces.

    Each element is byte for byte what :func:`points_event` writes, and the
    messages are what :func:`shared.bus.batched` makes of those events (same
    batch ids and limits), but the constant parts of a document are bytes
    prepared once, and the parts about a person or a rule once per call.
    """

    def __init__(self, now: str, members: dict[str, Membership], totals: dict[str, int]) -> None:
        self.time = b'","source":"' + SOURCE.encode() + b'","type":"' + POINTS_TYPE.encode()
        self.time += b'","time":' + orjson.dumps(now) + b',"subject":'
        self.members = members
        self.totals = totals
        # person -> (from the end of the id to the rule, from the points on)
        self.people: dict[str, tuple[bytes, bytes]] = {}
        self.rules: dict[tuple[str, int, date], bytes] = {}  # -> the rule up to the key
        self.numbers: dict[int, bytes] = {}  # points -> the points field

    def person(self, person: str) -> tuple[bytes, bytes]:
        name = orjson.dumps(person)
        head = self.time + name
        head += b',"datacontenttype":"application/json","data":{"person":' + name + b","
        tail = b""
        member = self.members.get(person)
        if member is not None and member.team is not None:
            tail += b',"team":' + orjson.dumps(member.team)
        if member is not None and member.department is not None:
            tail += b',"department":' + orjson.dumps(member.department)
        total = self.totals.get(person)
        if total is not None:
            tail += b',"total":' + str(total).encode()
        pieces = self.people[person] = (head, tail + b"}}")
        return pieces

    def rule(self, award: Award) -> bytes:
        piece = self.rules[(award.rule, award.version, award.day)] = (
            b'"rule":'
            + orjson.dumps(award.rule)
            + b',"ruleset_version":'
            + str(award.version).encode()
            + b',"activity_date":"'
            + award.day.isoformat().encode()
            + b'","ledger_key":'
        )
        return piece

    def number(self, points: int) -> bytes:
        piece = self.numbers[points] = b',"points":' + str(points).encode()
        return piece

    def messages(self, awards: Iterable[Award]) -> Iterator[EncodedEvent]:
        ids: list[bytes] = []
        bodies: list[bytes] = []
        size = 0
        # Locals: this loop runs once per scored signal.
        people, rules, numbers = self.people, self.rules, self.numbers
        points_kind, limit, limit_bytes = AwardKind.POINTS, BATCH_EVENTS, BATCH_BYTES
        dumps, join = orjson.dumps, b"".join
        for award in awards:
            amount = award.points
            if award.kind != points_kind or amount <= 0:
                continue
            key = award.key
            identity = sha256(POINTS_ID_PREFIX + key.encode()).hexdigest()[:32].encode()
            person = people.get(award.person) or self.person(award.person)
            rule = rules.get((award.rule, award.version, award.day)) or self.rule(award)
            number = numbers.get(amount) or self.number(amount)
            body = join((START, identity, person[0], rule, dumps(key), number, person[1]))
            if bodies and (len(bodies) >= limit or size + len(body) + 1 > limit_bytes):
                yield self.message(ids, bodies)
                ids, bodies, size = [], [], 0
            ids.append(identity)
            bodies.append(body)
            size += len(body) + 1
        if bodies:
            yield self.message(ids, bodies)

    @staticmethod
    def message(ids: list[bytes], bodies: list[bytes]) -> EncodedEvent:
        digest = sha256(b"\n".join(ids) + b"\n").hexdigest()[:32]
        return EncodedEvent(
            PointsAwarded.subject_name,
            f"batch-{digest}",
            POINTS_TYPE,
            b"[" + b",".join(bodies) + b"]",
            len(bodies),
            BATCH_CONTENT_TYPE,
        )


async def announce_points(
    js: JetStreamContext,
    awards: Iterable[Award],
    members: dict[str, Membership],
    totals: dict[str, int],
) -> int:
    """Publish awards.points fire-and-forget, in batch messages: the ledger is their record.

    Returns the number of events sent (not of messages).
    """
    batches = PointsBatches(datetime.now(UTC).isoformat(), members, totals)
    nc = js._nc
    sent = 0
    for message in batches.messages(awards):
        await nc.publish(message.subject, message.body, headers=message.headers())
        sent += message.held
    return sent


async def announce(js: JetStreamContext, payloads: Iterable[AwardBase]) -> int:
    """Publish badges, levels and challenges and wait for JetStream's acknowledgements."""
    now = datetime.now(UTC)
    encoded = []
    for payload in payloads:
        event = envelope(payload, now)
        encoded.append(EncodedEvent(payload.subject_name, event.id, event.type, event.to_bytes()))
    return await announce_encoded(js, encoded)


async def announce_held(
    js: JetStreamContext,
    awards: Iterable[Award],
    members: dict[str, Membership],
    now: str,
    rules: RuleSet | None = None,
) -> int:
    """Publish the badges and levels among ``awards``, encoded as they are sent.

    Badge events first, then level events (as :func:`announce_encoded` orders
    them); each document is built when its batch message is, so a flush of
    thousands of badges never holds them all encoded at once.
    """
    held = sorted(
        (a for a in awards if a.kind in (AwardKind.BADGE, AwardKind.LEVEL)),
        key=lambda award: award.kind == AwardKind.LEVEL,
    )
    events = (held_event(award, members.get(award.person), now, rules) for award in held)
    new, _ = await publish_encoded_many(js, batched(e for e in events if e is not None))
    return new


async def announce_encoded(js: JetStreamContext, events: Iterable[EncodedEvent]) -> int:
    """Publish award events in batch messages and wait for JetStream's acknowledgements.

    The ledger key is each event's identity: a repeated announcement (after a
    redelivery) carries the same event ids, which notify's outbox and the
    screens de-duplicate; an identical batch is also a JetStream duplicate.
    Events are grouped by type (order kept within a type) so batches stay full.
    """
    ordered = sorted(events, key=lambda e: e.type)
    if not ordered:
        return 0
    new, _ = await publish_encoded_many(js, batched(ordered))
    return new
