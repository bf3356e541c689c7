"""Every service reaches NATS as its own user, over TLS, with only the subjects it needs.

nats-server runs the deployment's ``deploy/nats/nats.conf`` and ``auth.conf`` (trustme
certificates, test ports). Each service's real code paths run under its user: ingest
publishes facts, dead letters and its status; scoring consumes SIGNALS (recognition
grants and revocations too), publishes awards and the default rules, and scrubs
SIGNALS, AWARDS, COMMUNITY and DLQ; notify consumes AWARDS and COMMUNITY and
dead-letters; the api follows awards, rule changes and the community, publishes rules,
directory facts, recognition grants and revocations and the community's announcements
(through its outbox), and reads ingest's status. The server must log no permission
violation for any of that, and must refuse each user what its service has no business
doing: ingest cannot grant points, notify cannot announce, the api cannot award.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
import orjson
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.api.app import create_app
from services.api.bus import BusLink
from services.api.outbox import OutboxRelay, enqueue
from services.ingest.bootstrap import assemble
from services.ingest.status import read_status
from services.notify.bootstrap import wait_for_nats
from services.notify.consumer import AwardConsumer, CommunityConsumer
from services.scoring import admin, privacy
from services.scoring.bootstrap import build_scorer, resources
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import default_source
from shared import subjects
from shared.bus import connection_options, publish_many
from shared.database import create_engine, create_tables
from shared.events import (
    ActivityKind,
    App,
    ChampionChanged,
    CloudEvent,
    CommunityChange,
    CopilotActivity,
    DirectoryPerson,
    KudosGiven,
    Payload,
    RecognitionGranted,
    RecognitionKind,
    RecognitionRevoked,
    RulesPublished,
    SignalSource,
    StoryPublished,
)
from shared.ids import pseudonym
from shared.settings import (
    ApiSettings,
    CommonSettings,
    GraphSettings,
    IngestSettings,
    NotifySettings,
    ScoringSettings,
)
from shared.streams import API_STREAMS, COMMUNITY, NOTIFY_STREAMS, ensure_streams
from tests.integration.secured import SecuredNats, Tls, make_tls, secured_nats

pytestmark = pytest.mark.integration
TZ = ZoneInfo("Europe/Brussels")
WAIT = 30.0  # a safety net for conditions awaited below, never a measured duration
KEY = "nats-permissions-test-key"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tls: Tls) -> Iterator[SecuredNats]:
    with secured_nats(tmp_path_factory.mktemp("nats"), tls) as running:
        yield running


def as_user(server: SecuredNats, user: str, kind: type[Any] = CommonSettings, **extra: Any) -> Any:
    return kind(
        nats_url=server.url,
        nats_user=user,
        nats_password=SecretStr(server.passwords[user]),
        nats_ca_file=server.tls.ca,
        **extra,
    )


async def refusal(settings: CommonSettings, action: str, subject: str) -> str:
    """What the server answers when ``settings``' user publishes or subscribes to ``subject``."""
    errors: asyncio.Queue[Exception] = asyncio.Queue()

    async def on_error(exc: Exception) -> None:
        await errors.put(exc)

    nc = await nats.connect(settings.nats_url, error_cb=on_error, **connection_options(settings))
    try:
        if action == "publish":
            await nc.publish(subject, b"{}")
        else:
            await nc.subscribe(subject)
        await nc.flush()
        return str(await asyncio.wait_for(errors.get(), WAIT))
    finally:
        await nc.close()


def activity(person: str, day: date) -> CloudEvent[CopilotActivity]:
    data = CopilotActivity(
        person=person,
        app=App.WORD,
        kind=ActivityKind.ACTIVE_DAY,
        date=day,
        source=SignalSource.USAGE_REPORT,
    )
    return CloudEvent.wrap(data, source="test")


def directory_fact(person: str, team: str) -> CloudEvent[DirectoryPerson]:
    data = DirectoryPerson(
        person=person, team=team, department="Sales", observed_at=datetime.now(UTC)
    )
    return CloudEvent.wrap(data, source="test")


def the_api_announces(ann: str, bob: str, day: date) -> list[Payload]:
    """What the api's outbox relays: a grant and its revocation, and the community's news."""
    return [
        RecognitionGranted(
            grant="kudos:k-1", person=bob, kind=RecognitionKind.KUDOS, points=5, date=day
        ),
        RecognitionGranted(
            grant="kudos:k-2", person=ann, kind=RecognitionKind.KUDOS, points=5, date=day
        ),
        RecognitionRevoked(grant="kudos:k-2", person=ann, reason="a mistake"),
        KudosGiven(kudos="k-1", giver=ann, receiver=bob, value="helpful", date=day),
        StoryPublished(
            story="s-1",
            change=CommunityChange.APPROVED,
            app=App.WORD,
            minutes_saved=20,
            text="A report in an hour",
        ),
        ChampionChanged(person=bob, status="approved", departments=["Sales"]),
    ]


async def until(condition: Any) -> None:
    async with asyncio.timeout(WAIT):
        while not await condition():
            await asyncio.sleep(0.05)


async def test_each_service_does_its_work_under_its_own_user(
    server: SecuredNats, redis_url: str, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}"
    ann, bob = pseudonym("ann", KEY), pseudonym("bob", KEY)
    ingest_settings = as_user(
        server,
        "ingest",
        IngestSettings,
        database_url=database,
        ingest_status_path=None,
        pseudonym_key=SecretStr(KEY),
        graph=GraphSettings(client_id="app", client_secret=SecretStr("secret")),
    )
    scoring_settings = as_user(
        server,
        "scoring",
        ScoringSettings,
        database_url=database,
        redis_url=redis_url,
        pseudonym_key=SecretStr(KEY),
    )
    notify_settings = as_user(server, "notify", NotifySettings)
    api_settings = as_user(server, "api", ApiSettings)

    # ingest: its composition root makes its streams, then facts, a dead letter, its status
    today = datetime.now(TZ).date()
    async with assemble(ingest_settings) as ingest:
        await ingest.publisher.publish([directory_fact(p, "Blue").data for p in (ann, bob)])
        # one batch message holding both people's facts
        await ingest.publisher.publish([activity(p, today).data for p in (ann, bob)])
        # a message scoring cannot read, for its dead letters
        await ingest.publisher.js.publish(subjects.COPILOT_ACTIVITY, b"not an event")
        await ingest.publisher.dead_letter("report", "unreadable row", 3, {"x": "1"})
        ingest.board.status.state = "idle"
        await ingest.board.save()

    # the api follows awards and rule changes as it does at start
    followed: list[CloudEvent[Any]] = []

    async def on_event(event: CloudEvent[Any]) -> None:
        followed.append(event)

    link = BusLink(api_settings.nats_url, on_event, options=connection_options(api_settings))
    link.start()
    api_nc: Client | None = None
    try:
        await until(lambda: _true(link.following))
        assert link.client is not None
        api_nc = link.client
        api_js = api_nc.jetstream()
        await ensure_streams(api_js, 1, API_STREAMS)
        status = await read_status(api_js, api_settings.ingest_status_bucket)
        assert status is not None and status["state"] == "idle"

        # the api keeps COMMUNITY, and its outbox relays grants, revocations and the
        # community's announcements; it follows what it announced
        await api_js.update_stream(COMMUNITY.config(1))
        assert (await api_js.stream_info(COMMUNITY.name)).config.name == COMMUNITY.name
        announced = the_api_announces(ann, bob, today)
        outbox_engine = create_engine(database)
        relay = OutboxRelay(outbox_engine, api_nc)
        try:
            await create_tables(outbox_engine)
            async with AsyncSession(outbox_engine) as session, session.begin():
                for payload in announced:
                    enqueue(session, payload)
            assert await relay.publish_pending() == len(announced)
            # a message notify cannot read, for its dead letters
            await api_nc.jetstream().publish(subjects.COMMUNITY_STORY, b"not an announcement")
        finally:
            await relay.close()
            await outbox_engine.dispose()
        await until(lambda: _true(sum(e.type.startswith("community.") for e in followed) >= 3))

        # scoring: composition root, default rules, one pass over SIGNALS
        rules_heard: list[Msg] = []
        async with resources(scoring_settings) as res:

            async def on_rules(msg: Msg) -> None:
                rules_heard.append(msg)

            await res.nc.subscribe(subjects.CONTROL_RULES, cb=on_rules)
            await admin.ensure_published(res.engine, res.js, default_source(), TZ)
            consumer = SignalConsumer(
                res.js, build_scorer(res), ConsumerSettings(fetch_timeout=0.3)
            )
            await consumer.run(once=True)
            assert consumer.processed >= 2
            # the recognition grants and the revocation are taken in as well
            async with res.engine.connect() as conn:
                grants = await conn.execute(
                    text("SELECT grant_id, revoked FROM scoring_recognition ORDER BY grant_id")
                )
                assert [tuple(row) for row in grants] == [("kudos:k-1", False), ("kudos:k-2", True)]
            # ingest's dead row, and the message scoring could not read
            assert (await res.js.stream_info("DLQ")).state.messages == 2
            await until(lambda: _true(bool(rules_heard)))
            # a message notify cannot read, for its dead letters
            await res.js.publish(subjects.AWARDS_BADGE, b"not an award")
            awards = (await res.js.stream_info("AWARDS")).state.messages
            assert awards >= 2  # points for the day, and the unreadable one

            # the api publishes rules (admin) and directory facts (team mapping)
            engine: AsyncEngine = create_engine(database)
            try:
                await admin.publish(engine, api_js, default_source(), TZ, by="admin")
            finally:
                await engine.dispose()
            await publish_many(api_js, [directory_fact(ann, "Green")])
            await until(lambda: _true(len(rules_heard) >= 2))
            await until(lambda: _true(any(isinstance(e.data, RulesPublished) for e in followed)))
            assert any(e.type.startswith("awards.") for e in followed) or awards

            # notify: its durable consumers take every award and announcement; the
            # unreadable award and announcement are dead-lettered
            taken: list[CloudEvent[Any]] = []
            stop = asyncio.Event()

            async def intake(events: Any) -> None:
                taken.extend(events)

            notify_nc = await wait_for_nats(notify_settings, asyncio.Event())
            assert notify_nc is not None
            try:
                notify_js = notify_nc.jetstream()
                await ensure_streams(notify_js, 1, NOTIFY_STREAMS)
                await notify_js.update_stream(COMMUNITY.config(1))
                dead = (await res.js.stream_info("DLQ")).state.messages
                running = [
                    asyncio.create_task(AwardConsumer(notify_js, intake).run(stop)),
                    asyncio.create_task(CommunityConsumer(notify_js, intake).run(stop)),
                ]
                await until(lambda: _dead_letters(res.js, dead + 1))
                await until(lambda: _true(sum(e.type.startswith("community.") for e in taken) == 3))
                await until(lambda: _true(any(e.type == "awards.points" for e in taken)))
                stop.set()
                await asyncio.gather(*running)
            finally:
                await notify_nc.drain()
            dead_subjects = await _dead_letter_subjects(res.js)
            assert {"dlq.awards", "dlq.community"} <= dead_subjects

            # scoring scrubs an erased person out of the streams: deletes, and publishes
            # again the other person's facts of the batch they shared
            community = (await res.js.stream_info(COMMUNITY.name)).state.messages
            erasure = await privacy.erase(res.engine, res.redis, ann, KEY, "admin", js=res.js)
            assert erasure.counts["stream_messages_rewritten"] >= 1
            assert erasure.counts["stream_messages_deleted"] >= 1
            # the kudos Ann gave is taken out of COMMUNITY
            assert (await res.js.stream_info(COMMUNITY.name)).state.messages == community - 1
    finally:
        await link.close()

    # the gateway's composition root connects as the api too, and says so in /readyz
    app = create_app(
        api_settings.model_copy(update={"database_url": database, "redis_url": redis_url})
    )
    async with app.router.lifespan_context(app):
        await until(lambda: _true(app.state.resources.bus.following))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api.test"
        ) as http:
            assert (await http.get("/readyz")).json()["checks"]["nats"] is True

    assert server.violations() == []


def _true(value: bool) -> Any:
    async def answer() -> bool:
        return value

    return answer()


def _dead_letters(js: Any, before: int) -> Any:
    async def more() -> bool:
        return int((await js.stream_info("DLQ")).state.messages) > before

    return more()


async def _dead_letter_subjects(js: Any) -> set[str]:
    state = (await js.stream_info("DLQ")).state
    found: set[str] = set()
    for seq in range(state.first_seq, state.last_seq + 1):
        found.add((await js.get_msg("DLQ", seq)).subject)
    return found


REFUSED = [
    # ingest publishes usage and directory facts, never recognition (points), awards,
    # announcements, rules or stream changes, and reads nothing
    ("ingest", "publish", "signals.recognition.granted"),
    ("ingest", "publish", "signals.recognition.revoked"),
    ("ingest", "publish", "community.kudos"),
    ("ingest", "publish", "awards.points"),
    ("ingest", "publish", "control.rules"),
    ("ingest", "publish", "$JS.API.STREAM.DELETE.SIGNALS"),
    ("ingest", "publish", "$JS.API.STREAM.UPDATE.AWARDS"),
    ("ingest", "publish", "$JS.API.CONSUMER.CREATE.SIGNALS.spy"),
    ("ingest", "subscribe", "signals.>"),
    # scoring writes awards, not facts; cannot purge or delete streams
    ("scoring", "publish", "$KV.uptake_status.ingest"),
    ("scoring", "publish", "control.other"),
    ("scoring", "publish", "$JS.API.STREAM.PURGE.SIGNALS"),
    ("scoring", "publish", "$JS.API.STREAM.DELETE.AWARDS"),
    ("scoring", "subscribe", "awards.>"),
    # scoring deletes erased people's announcements but never announces
    ("scoring", "publish", "community.kudos"),
    ("scoring", "publish", "$JS.API.STREAM.PURGE.COMMUNITY"),
    # notify reads AWARDS only: not SIGNALS, not scoring's consumer, not others' replies
    ("notify", "publish", "$JS.API.CONSUMER.CREATE.SIGNALS.spy"),
    ("notify", "publish", "$JS.API.CONSUMER.DURABLE.CREATE.SIGNALS.spy"),
    ("notify", "publish", "$JS.API.CONSUMER.MSG.NEXT.SIGNALS.scoring"),
    ("notify", "publish", "$JS.API.STREAM.MSG.GET.SIGNALS"),
    ("notify", "publish", "awards.badge"),
    # notify reads COMMUNITY with its own durable only, and announces nothing
    ("notify", "publish", "community.kudos"),
    ("notify", "publish", "community.story"),
    ("notify", "publish", "signals.recognition.granted"),
    ("notify", "publish", "$JS.API.CONSUMER.CREATE.COMMUNITY"),
    ("notify", "publish", "$JS.API.STREAM.MSG.DELETE.COMMUNITY"),
    ("notify", "publish", "dlq.signals"),
    ("notify", "publish", "$KV.uptake_status.ingest"),
    ("notify", "subscribe", "signals.>"),
    ("notify", "subscribe", "_INBOX.>"),
    ("notify", "subscribe", "_INBOX.scoring.>"),
    # the api reads awards and rules, not facts; writes rules and directory facts only
    ("api", "publish", "$JS.API.CONSUMER.CREATE.SIGNALS.spy"),
    ("api", "publish", "$JS.API.STREAM.DELETE.SIGNALS"),
    ("api", "publish", "signals.copilot.activity"),
    ("api", "publish", "awards.points"),
    ("api", "publish", "awards.badge"),
    ("api", "publish", "signals.copilot.unattributed"),
    ("api", "publish", "dlq.community"),
    # the api follows COMMUNITY with ordered consumers, never notify's durable, and
    # deletes nothing there
    ("api", "publish", "$JS.API.CONSUMER.MSG.NEXT.COMMUNITY.notify-community"),
    ("api", "publish", "$JS.API.CONSUMER.CREATE.COMMUNITY.notify-community.community.>"),
    ("api", "publish", "$JS.API.STREAM.MSG.DELETE.COMMUNITY"),
    ("api", "publish", "$KV.uptake_status.ingest"),
    ("api", "subscribe", "_INBOX.scoring.>"),
]


@pytest.mark.parametrize(("user", "action", "subject"), REFUSED)
async def test_each_user_is_refused_what_its_service_does_not_do(
    server: SecuredNats, user: str, action: str, subject: str
) -> None:
    answer = await refusal(as_user(server, user), action, subject)
    assert "permissions violation" in answer.lower()
    assert subject.lower() in answer.lower()


async def test_nobody_connects_without_a_user_or_with_a_wrong_password(
    server: SecuredNats,
) -> None:
    anonymous = CommonSettings(nats_url=server.url, nats_ca_file=server.tls.ca)
    wrong = CommonSettings(
        nats_url=server.url,
        nats_user="scoring",
        nats_password=SecretStr(server.passwords["api"]),
        nats_ca_file=server.tls.ca,
    )
    for settings in (anonymous, wrong):
        with pytest.raises(Exception, match=r"(?i)authorization"):
            await _connect_once(settings)


async def test_the_server_speaks_tls_only_and_clients_check_its_certificate(
    server: SecuredNats, tmp_path: Path
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as raw:
        info = orjson.loads(raw.recv(4096).split(b" ", 1)[1])
    assert info["tls_required"] is True
    stranger = make_tls(tmp_path / "other")  # a CA that did not sign the server
    untrusting = as_user(server, "api")
    untrusting = untrusting.model_copy(update={"nats_ca_file": stranger.ca})
    with pytest.raises(Exception, match=r"(?i)certificate"):
        await _connect_once(untrusting)


async def _connect_once(settings: CommonSettings) -> None:
    errors: list[Exception] = []

    async def on_error(exc: Exception) -> None:
        errors.append(exc)

    nc = None
    try:
        nc = await nats.connect(
            settings.nats_url,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=5,
            error_cb=on_error,
            **connection_options(settings),
        )
    except Exception as exc:
        raise Exception(f"{exc!r} {errors!r}") from exc
    finally:
        if nc is not None:
            with contextlib.suppress(Exception):
                await nc.close()
