"""Deployment files hold together: docker-compose.yml, deploy/Dockerfile, deploy/k8s and the
README's configuration table name only real services, files and settings.

Docker does not run here, so these checks read the files: YAML parses, references resolve,
and every environment variable given to a service is one its settings class reads.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from services.sandbox.settings import SandboxSettings
from shared import settings as shared_settings
from shared.bus import connect

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("ingest", "scoring", "notify", "api")


def _env_names(model: type[BaseSettings], prefix: str = "") -> set[str]:
    """The environment variables a pydantic-settings class reads (nested settings included)."""
    prefix = prefix or str(model.model_config.get("env_prefix") or "")
    names: set[str] = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            names |= _env_names(annotation)
        else:
            names.add((prefix + name).upper())
    return names


def _known_env() -> dict[str, set[str]]:
    known = {
        "ingest": _env_names(shared_settings.IngestSettings),
        "scoring": _env_names(shared_settings.ScoringSettings),
        "notify": _env_names(shared_settings.NotifySettings),
        "api": _env_names(shared_settings.ApiSettings),
        "sandbox": _env_names(SandboxSettings),
    }
    known["any"] = set().union(*known.values())
    return known


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted((DEPLOY / "k8s" / "base").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.name, doc))
    return docs


def _module_exists(command: list[str]) -> bool:
    module = command[command.index("-m") + 1]
    return (ROOT / module.replace(".", "/") / "__main__.py").is_file()


def test_compose_runs_infrastructure_services_and_the_sandbox_in_the_demo_profile() -> None:
    services = _compose()["services"]
    assert set(services) == {"nats", "redis", "postgres", "sandbox", *SERVICES}
    assert services["sandbox"]["profiles"] == ["demo"]
    assert "-js" in " ".join(services["nats"].get("command", [])) or (
        "jetstream" in (DEPLOY / "nats" / "nats.conf").read_text()
    )
    nats_health = " ".join(services["nats"]["healthcheck"]["test"])
    assert ":8222/healthz" in nats_health
    for name in ("nats", "redis", "postgres"):
        assert "healthcheck" in services[name], name


def test_compose_services_run_their_module_and_wait_for_healthy_infrastructure() -> None:
    services = _compose()["services"]
    for name in SERVICES:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["command"] == ["python", "-m", f"services.{name}"]
        assert _module_exists(service["command"]), name
        for dependency, condition in service["depends_on"].items():
            assert dependency in services
            assert condition["condition"] == "service_healthy"
            assert "healthcheck" in services[dependency], dependency


def test_compose_gives_services_only_settings_they_read() -> None:
    known = _known_env()
    for name in (*SERVICES, "sandbox"):
        given = set(_compose()["services"][name].get("environment", {}))
        assert given <= known[name], f"{name}: unknown settings {sorted(given - known[name])}"


def test_compose_mounts_files_that_exist(compose_setup: Path) -> None:
    """Repository files, or what ``deploy/compose-setup.sh`` makes (the TLS files)."""
    made = "./var/deploy/tls"
    for name, service in _compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith(made):
                assert (compose_setup / "tls" / source[len(made) + 1 :]).exists(), source
            elif source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source}"


def test_dockerfile_is_multi_stage_with_uv_and_runs_as_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.M | re.I)
    assert len(stages) >= 2
    assert "uv sync --frozen" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users
    assert not users[-1].startswith(("root", "0"))
    for source in re.findall(r"^COPY\s+(?!--from)(\S+)", text, re.M):
        assert (ROOT / source).exists(), source


def test_k8s_documents_have_the_required_fields() -> None:
    docs = _k8s_documents()
    assert docs
    for filename, doc in docs:
        assert doc.get("apiVersion"), filename
        assert doc.get("kind"), filename
        if doc["kind"] != "Kustomization":
            assert doc["metadata"]["name"], filename


def _named(kind: str, name: str) -> dict[str, Any]:
    return next(
        doc
        for _, doc in _k8s_documents()
        if doc["kind"] == kind and doc["metadata"]["name"] == name
    )


def _workloads() -> dict[str, dict[str, Any]]:
    return {
        doc["metadata"]["name"]: doc
        for _, doc in _k8s_documents()
        if doc["kind"] in ("Deployment", "StatefulSet")
    }


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_deployments_run_the_service_with_config_and_secret_refs(name: str) -> None:
    deployment = _workloads()[name]
    spec = deployment["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    (container,) = spec["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", f"services.{name}"]
    assert _module_exists(container["command"])
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert spec["template"]["spec"]["securityContext"]["runAsNonRoot"] is True

    configmaps = {
        doc["metadata"]["name"] for _, doc in _k8s_documents() if doc["kind"] == "ConfigMap"
    }
    for source in container.get("envFrom", []):
        assert source["configMapRef"]["name"] in configmaps
    secret = _named("Secret", "uptake-secrets")
    known = _known_env()
    for variable in container.get("env", []):
        assert variable["name"] in known[name], variable["name"]
        if "valueFrom" in variable:
            ref = variable["valueFrom"]["secretKeyRef"]
            assert ref["name"] == secret["metadata"]["name"]
            assert ref["key"] in secret["stringData"]
    for kind, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        probe = container.get(kind)
        if probe is None:
            continue
        if "httpGet" in probe:
            assert probe["httpGet"]["path"] == path
        else:
            assert path in " ".join(probe["exec"]["command"])


@pytest.mark.parametrize(
    ("name", "setting"),
    [
        ("ingest", "INGEST_HEALTH_PORT"),
        ("scoring", "SCORING_HEALTH_PORT"),
        ("notify", "NOTIFY_STATUS_PORT"),
    ],
)
def test_k8s_workers_with_a_health_port_are_probed(name: str, setting: str) -> None:
    (container,) = _workloads()[name]["spec"]["template"]["spec"]["containers"]
    env = {variable["name"]: variable.get("value") for variable in container["env"]}
    port = env[setting]
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = container[kind]
        target = str(probe.get("httpGet", {}).get("port")) + " ".join(
            probe.get("exec", {}).get("command", [])
        )
        assert port in target or target.startswith("health"), (kind, target)
    if "httpGet" in container["readinessProbe"]:
        assert env[f"{name.upper()}_HEALTH_HOST"] == "0.0.0.0"
        assert {"name": "health", "containerPort": int(port)} in container["ports"]


def test_k8s_gateway_probes_health_and_readiness() -> None:
    (container,) = _workloads()["api"]["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["port"] in ports
    routes = (ROOT / "services" / "api" / "routers" / "health.py").read_text()
    assert '"/healthz"' in routes
    assert '"/readyz"' in routes


def test_k8s_nats_is_a_three_node_jetstream_cluster() -> None:
    nats = _workloads()["nats"]
    assert nats["spec"]["replicas"] == 3
    config = _named("ConfigMap", "nats-config")["data"]["nats.conf"]
    assert "jetstream" in config
    assert config.count("://nats-") == 3


def test_k8s_configmap_holds_only_real_settings() -> None:
    config = _named("ConfigMap", "uptake-config")
    unknown = set(config["data"]) - _known_env()["any"]
    assert not unknown, f"settings no service reads: {sorted(unknown)}"


def test_kustomization_lists_existing_files() -> None:
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "base" / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (DEPLOY / "k8s" / "base" / resource).is_file(), resource


def test_readme_configuration_table_names_real_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = {
        name
        for line in table.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    }
    assert {"NATS_URL", "REDIS_URL", "DATABASE_URL", "ORG_TIMEZONE"} <= names
    unknown = names - _known_env()["any"]
    assert not unknown, f"README documents settings that do not exist: {sorted(unknown)}"


# Credentials: NATS users and Redis ACL users, TLS, Secrets, network policies.

SECRET_NAMES = re.compile(r"PASSWORD|_KEY$|SECRET|WEBHOOK|DATABASE_URL")
REQUIRED_IN_COMPOSE = re.compile(r"\$\{(\w+):\?([^}]*)\}")


def _nats_users() -> dict[str, str]:
    """NATS user -> the environment variable holding its password (deploy/nats/auth.conf)."""
    text = (DEPLOY / "nats" / "auth.conf").read_text()
    return dict(re.findall(r"\{user: (\w+), password: \$(\w+),", text))


def _redis_users() -> set[str]:
    rules = (DEPLOY / "redis" / "users.acl").read_text().splitlines()
    return {line.split()[1] for line in rules if line.startswith("user ") and " on " in line}


@pytest.fixture(scope="module")
def compose_setup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``deploy/compose-setup.sh`` run twice into a scratch folder (it keeps what exists)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: deploy/compose-setup.sh needs it")
    out = tmp_path_factory.mktemp("compose")
    env = dict(os.environ, ENV_FILE=str(out / ".env"), TLS_DIR=str(out / "tls"))
    for _ in range(2):
        subprocess.run(["sh", str(DEPLOY / "compose-setup.sh")], env=env, check=True)
    return out


def _dotenv(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_compose_requires_every_secret_and_says_how_to_make_it() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    required = dict(REQUIRED_IN_COMPOSE.findall(text))
    for name in ("PSEUDONYM_KEY", "ENGAGE_TOKEN_KEY", "POSTGRES_PASSWORD"):
        assert name in required, name
    assert "openssl rand -hex 32" in required["PSEUDONYM_KEY"]
    assert "openssl rand -base64 32" in required["ENGAGE_TOKEN_KEY"]
    for name, message in required.items():
        assert "compose-setup.sh" in message, name
    # no secret has a default to fall back on, but the sandbox tenant's own (profile demo)
    sandbox = {"GRAPH_CLIENT_SECRET", "TEAMS_WEBHOOK_URL"}
    defaults = set(re.findall(r"\$\{(\w+):?-", text)) - sandbox
    assert not [name for name in defaults if SECRET_NAMES.search(name)]


def test_compose_setup_makes_every_required_secret_strong_enough(compose_setup: Path) -> None:
    made = _dotenv(compose_setup / ".env")
    required = set(dict(REQUIRED_IN_COMPOSE.findall((ROOT / "docker-compose.yml").read_text())))
    assert required <= set(made), sorted(required - set(made))
    assert len(made) == len(
        (compose_setup / ".env").read_text().splitlines()
    )  # kept, not added twice
    shared_settings.CommonSettings(environment="production", pseudonym_key=made["PSEUDONYM_KEY"])
    shared_settings.NotifySettings(
        environment="production",
        pseudonym_key=made["PSEUDONYM_KEY"],
        engage_token_key=made["ENGAGE_TOKEN_KEY"],
    )
    assert (compose_setup / ".env").stat().st_mode & 0o077 == 0
    assert (compose_setup / "ca-key.pem").stat().st_mode & 0o077 == 0
    for host in ("nats", "redis"):
        assert (compose_setup / "tls" / host / "key.pem").stat().st_mode & 0o077 == 0


def test_compose_gives_each_service_its_own_users_and_the_servers_their_passwords() -> None:
    services = _compose()["services"]
    nats_users = _nats_users()
    assert set(nats_users) == set(SERVICES)
    nats_env = services["nats"]["environment"]
    assert set(nats_env) == set(nats_users.values())
    redis_env = services["redis"]["environment"]
    for name in SERVICES:
        env = services[name]["environment"]
        assert env["NATS_USER"] == name
        assert env["NATS_PASSWORD"] == nats_env[nats_users[name]]
        if name in _redis_users():
            assert env["REDIS_USER"] == name
            assert env["REDIS_PASSWORD"] == redis_env[f"REDIS_{name.upper()}_PASSWORD"]
        else:
            assert "REDIS_USER" not in env
    common = services["api"]["environment"]
    assert common["NATS_URL"].startswith("tls://") and common["NATS_CA_FILE"]
    assert common["REDIS_URL"].startswith("rediss://") and common["REDIS_CA_FILE"]


async def test_compose_setup_certificates_serve_nats_over_tls(
    compose_setup: Path, tmp_path: Path
) -> None:
    from tests.integration.secured import Tls, secured_nats

    made = Tls(compose_setup / "tls" / "nats")
    with secured_nats(tmp_path, made) as server:
        settings = shared_settings.CommonSettings(
            nats_url=server.url.replace("127.0.0.1", "localhost"),
            nats_user="api",
            nats_password=server.passwords["api"],
            nats_ca_file=compose_setup / "tls" / "ca.pem",
        )
        nc = await connect(settings, "test")
        assert nc.is_connected
        await nc.close()


def _pod_specs() -> dict[str, dict[str, Any]]:
    return {name: doc["spec"]["template"]["spec"] for name, doc in _workloads().items()}


def test_k8s_pods_get_no_service_account_token() -> None:
    for name, spec in _pod_specs().items():
        assert spec.get("automountServiceAccountToken") is False, name


def test_k8s_configmaps_hold_no_credentials() -> None:
    for _, doc in _k8s_documents():
        if doc["kind"] != "ConfigMap" or doc["metadata"]["name"] == "nats-config":
            continue
        for key, value in doc["data"].items():
            assert not SECRET_NAMES.search(key) or key.endswith("_FILE"), key
            assert not re.search(r"://[^/@\s]+:[^/@\s]+@", str(value)), key
    for name, spec in _pod_specs().items():
        (container,) = spec["containers"]
        for variable in container.get("env", []):
            if SECRET_NAMES.search(variable["name"]) and variable["name"] != "PSEUDONYM_KEY_FILE":
                assert "secretKeyRef" in variable.get("valueFrom", {}), (name, variable["name"])


def test_k8s_nats_requires_users_and_tls_from_the_deploy_configuration() -> None:
    config = _named("ConfigMap", "nats-config")["data"]
    assert config["auth.conf"] == (DEPLOY / "nats" / "auth.conf").read_text()
    nats_conf = config["nats.conf"]
    assert "include ./auth.conf" in nats_conf
    assert re.search(r"^tls \{", nats_conf, re.M)
    assert "verify: true" in nats_conf.split("cluster {", 1)[1]  # routes prove who they are
    assert "no_auth_user" not in config["auth.conf"]
    (container,) = _pod_specs()["nats"]["containers"]
    given = {v["name"] for v in container["env"] if "secretKeyRef" in v.get("valueFrom", {})}
    assert set(_nats_users().values()) <= given
    volumes = {v["name"]: v for v in _pod_specs()["nats"]["volumes"]}
    assert volumes["tls"]["secret"]["secretName"] == "nats-tls"


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_services_connect_as_their_users_and_trust_only_the_nats_ca(name: str) -> None:
    spec = _pod_specs()[name]
    (container,) = spec["containers"]
    env = {v["name"]: v for v in container["env"]}
    assert env["NATS_USER"]["value"] == name
    key = env["NATS_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"]
    assert key == _nats_users()[name]
    if name in _redis_users():
        assert env["REDIS_USER"]["value"] == name
        assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == (
            f"REDIS_{name.upper()}_PASSWORD"
        )
    ca = next(v for v in spec["volumes"] if v.get("secret", {}).get("secretName") == "nats-tls")
    assert ca["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}]  # not the key
    config = _named("ConfigMap", "uptake-config")["data"]
    assert config["NATS_URL"].startswith("tls://")
    mounted = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert config["NATS_CA_FILE"] == f"{mounted[ca['name']]}/ca.crt"
    assert config["REDIS_URL"].startswith("rediss://")


def _policies() -> list[dict[str, Any]]:
    return [doc for _, doc in _k8s_documents() if doc["kind"] == "NetworkPolicy"]


def test_k8s_denies_all_traffic_unless_a_policy_allows_it() -> None:
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "base" / "kustomization.yaml").read_text())
    assert "networkpolicies.yaml" in kustomization["resources"]
    deny = [
        p
        for p in _policies()
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny, "no default-deny policy"
    selected = {
        p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for p in _policies()
    }
    assert set(_workloads()) <= selected


def test_k8s_nats_takes_clients_only_from_the_services() -> None:
    (policy,) = [
        p
        for p in _policies()
        if p["spec"]["podSelector"].get("matchLabels") == {"app.kubernetes.io/name": "nats"}
    ]
    clients = [
        rule
        for rule in policy["spec"]["ingress"]
        if {"protocol": "TCP", "port": 4222} in rule["ports"]
    ]
    (rule,) = clients
    (source,) = rule["from"]
    (expression,) = source["podSelector"]["matchExpressions"]
    assert set(expression["values"]) == set(SERVICES)
    opened = {port["port"] for rule in policy["spec"]["ingress"] for port in rule["ports"]}
    assert 8222 not in opened  # monitoring: the kubelet's probes only


def test_k8s_manifests_are_valid_kubernetes_objects() -> None:
    """Offline schema validation (kubernetes-validate, strict: unknown fields fail)."""
    import kubernetes_validate

    checked = 0
    for _, doc in _k8s_documents():
        if doc["kind"] == "Kustomization" or doc["apiVersion"].startswith("cert-manager.io/"):
            continue
        kubernetes_validate.validate(doc, "1.31", strict=True)
        checked += 1
    assert checked >= 15
    broken = dict(_named("NetworkPolicy", "default-deny"))
    broken["spec"] = {**broken["spec"], "podSelectr": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.31", strict=True)
