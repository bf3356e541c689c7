"""Deployment files hold together: docker-compose.yml, deploy/Dockerfile, deploy/k8s and the
README's configuration table name only real services, files and settings.

Docker does not run here, so these checks read the files: YAML parses, references resolve,
and every environment variable given to a service is one its settings class reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from services.sandbox.settings import SandboxSettings
from shared import settings as shared_settings

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
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
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


def test_compose_mounts_files_that_exist() -> None:
    for name, service in _compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
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
    assert config.count("nats://nats-") == 3


def test_k8s_configmap_holds_only_real_settings() -> None:
    config = _named("ConfigMap", "uptake-config")
    unknown = set(config["data"]) - _known_env()["any"]
    assert not unknown, f"settings no service reads: {sorted(unknown)}"


def test_kustomization_lists_existing_files() -> None:
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (DEPLOY / "k8s" / resource).is_file(), resource


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
