"""The Kustomize overlays (deploy/k8s/overlays/single and cluster) render into valid objects.

Each overlay is built with ``kubectl kustomize`` as an operator builds it, and every object
it renders is checked offline against Kubernetes' OpenAPI schemas (``kubernetes-validate``,
strict: an unknown field fails). Then the facts the overlays exist for: one NATS server and
streams at one replica on one machine; three servers on three machines, streams at R3, a
PodDisruptionBudget for every workload and a CPU autoscaler for the gateway past it; requests
and limits on every container; only settings the services read.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from devtools.servers import nats_server_binary
from shared import settings as shared_settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
OVERLAYS = K8S / "overlays"
KUBERNETES_VERSION = "1.31"
WORKLOAD_KINDS = ("Deployment", "StatefulSet")
SERVICES = ("ingest", "scoring", "notify", "api")

Doc = dict[str, Any]


@cache
def _render(overlay: str) -> tuple[Doc, ...]:
    """``kubectl kustomize`` of one overlay, as ``kubectl apply -k`` would build it."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the overlays are rendered with kubectl kustomize")
    built = subprocess.run(
        [kubectl, "kustomize", str(OVERLAYS / overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    return tuple(doc for doc in yaml.safe_load_all(built.stdout) if doc)


def _named(docs: tuple[Doc, ...], kind: str, name: str) -> Doc:
    (found,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def _workloads(docs: tuple[Doc, ...]) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] in WORKLOAD_KINDS}


def _containers(docs: tuple[Doc, ...]) -> list[tuple[str, Doc]]:
    return [
        (name, container)
        for name, workload in _workloads(docs).items()
        for container in workload["spec"]["template"]["spec"]["containers"]
    ]


def _env_names(model: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads (nested settings included)."""
    prefix = str(model.model_config.get("env_prefix") or "")
    names: set[str] = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            names |= _env_names(annotation)
        else:
            names.add((prefix + name).upper())
    return names


SETTINGS: dict[str, type[BaseSettings]] = {
    "ingest": shared_settings.IngestSettings,
    "scoring": shared_settings.ScoringSettings,
    "notify": shared_settings.NotifySettings,
    "api": shared_settings.ApiSettings,
}

QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|K|M|G|T)?$")
FACTORS = {
    None: 1.0,
    "m": 1e-3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
}


def _quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (``500m``, ``1``, ``256Mi``) as a number (cores, bytes)."""
    match = QUANTITY.match(str(value))
    assert match, f"not a quantity: {value!r}"
    return float(match.group(1)) * FACTORS[match.group(2)]


def _nats_bytes(value: str) -> float:
    """A size in nats.conf (``45GB``, ``512MB``): NATS counts GB and MB in powers of 1024."""
    match = re.fullmatch(r"(\d+)([KMGT])B?", value.strip())
    assert match, value
    return int(match.group(1)) * 1024.0 ** ("KMGT".index(match.group(2)) + 1)


def _nats_conf(docs: tuple[Doc, ...]) -> str:
    conf: str = _named(docs, "ConfigMap", "nats-config")["data"]["nats.conf"]
    return conf


def _base_nats_conf() -> str:
    for doc in yaml.safe_load_all((BASE / "nats.yaml").read_text()):
        if doc and doc["kind"] == "ConfigMap":
            conf: str = doc["data"]["nats.conf"]
            return conf
    raise AssertionError("deploy/k8s/base/nats.yaml holds no nats.conf")


def _without_comments(conf: str) -> list[str]:
    return [line for line in conf.splitlines() if line.strip() and not line.strip().startswith("#")]


# Both overlays.


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_overlay_builds_on_the_base_and_keeps_its_namespace(overlay: str) -> None:
    base = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    kustomization = yaml.safe_load((OVERLAYS / overlay / "kustomization.yaml").read_text())
    assert kustomization["resources"][0] == "../../base"
    assert kustomization["namespace"] == base["namespace"]
    for resource in kustomization["resources"][1:]:
        assert (OVERLAYS / overlay / resource).is_file(), resource


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_overlay_renders_only_valid_kubernetes_objects(overlay: str) -> None:
    """Offline schema validation of every rendered object (strict: unknown fields fail)."""
    import kubernetes_validate

    docs = _render(overlay)
    kinds = {doc["kind"] for doc in docs}
    assert {"Namespace", "ConfigMap", "StatefulSet", "Deployment", "NetworkPolicy"} <= kinds
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert {doc["metadata"]["namespace"] for doc in docs if doc["kind"] != "Namespace"} == {
        "uptake"
    }


@pytest.mark.parametrize(
    ("kind", "name", "breaking"),
    [
        # a misspelled field, which strict validation refuses
        ("HorizontalPodAutoscaler", "api", lambda d: d["spec"].update(minReplica=2)),
        # a wrong type: replicas as text
        ("StatefulSet", "nats", lambda d: d["spec"].update(replicas="three")),
        # a required field gone: every container has a name
        (
            "Deployment",
            "scoring",
            lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"),
        ),
    ],
)
def test_a_broken_rendered_object_fails_validation(kind: str, name: str, breaking: Any) -> None:
    import kubernetes_validate

    broken = copy.deepcopy(_named(_render("cluster"), kind, name))
    kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)  # valid as rendered
    breaking(broken)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_every_container_has_cpu_and_memory_requests_within_limits(overlay: str) -> None:
    containers = _containers(_render(overlay))
    assert {name for name, _ in containers} == {"nats", *SERVICES}
    for name, container in containers:
        resources = container.get("resources", {})
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(kind, {})), (name, kind)
        for resource in ("cpu", "memory"):
            request = _quantity(resources["requests"][resource])
            assert 0 < request <= _quantity(resources["limits"][resource]), (name, resource)


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_memory_limits_hold_the_measured_peaks(overlay: str) -> None:
    """bench/results.json: scoring's worst peak RSS 251.7 MB, ingest's 311 MB."""
    workloads = _workloads(_render(overlay))
    for name, peak_mb in (("scoring", 251.7), ("ingest", 311.0)):
        (container,) = workloads[name]["spec"]["template"]["spec"]["containers"]
        assert _quantity(container["resources"]["requests"]["memory"]) >= peak_mb * 1e6, name
        assert _quantity(container["resources"]["limits"]["memory"]) >= 2 * peak_mb * 1e6, name


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_services_get_only_settings_they_read(overlay: str) -> None:
    docs = _render(overlay)
    read = {name: _env_names(model) for name, model in SETTINGS.items()}
    config = _named(docs, "ConfigMap", "uptake-config")["data"]
    unknown = set(config) - set().union(*read.values())
    assert not unknown, f"settings no service reads: {sorted(unknown)}"
    for name, container in _containers(docs):
        if name == "nats":
            continue
        given = {variable["name"] for variable in container.get("env", [])}
        assert given <= read[name], f"{name}: unknown settings {sorted(given - read[name])}"


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_nats_keeps_the_users_tls_and_a_store_that_fits_its_volume(overlay: str) -> None:
    docs = _render(overlay)
    data = _named(docs, "ConfigMap", "nats-config")["data"]
    assert data["auth.conf"] == (ROOT / "deploy" / "nats" / "auth.conf").read_text()
    conf = data["nats.conf"]
    assert "include ./auth.conf" in conf
    assert re.search(r"^tls \{", conf, re.M)
    store = re.search(r"^\s*max_file_store:\s*(\S+)", conf, re.M)
    assert store
    (claim,) = _workloads(docs)["nats"]["spec"]["volumeClaimTemplates"]
    volume = _quantity(claim["spec"]["resources"]["requests"]["storage"])
    assert _nats_bytes(store.group(1)) < volume  # the server refuses writes before the disk fills


def _nats_server_test(config: Path) -> subprocess.CompletedProcess[str]:
    """``nats-server -t``: parses a configuration and its includes, loads its certificates."""
    env = {name: "x" * 24 for name in re.findall(r"\$(NATS_\w+_PASSWORD)", _auth_conf())}
    return subprocess.run(
        [nats_server_binary(), "-t", "-c", str(config)],
        env={**env, "POD_NAME": "nats-0"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def _auth_conf() -> str:
    return (ROOT / "deploy" / "nats" / "auth.conf").read_text()


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_nats_server_accepts_the_rendered_configuration(overlay: str, tmp_path: Path) -> None:
    """The mounted paths (/etc/nats-tls, /data, /var/run/nats) moved to a scratch folder with
    a self-signed certificate, so that the server can check everything it would load."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the check needs a certificate")
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run(
        [
            *request,
            "-subj",
            "/CN=nats",
            "-keyout",
            str(tmp_path / "tls.key"),
            "-out",
            str(tmp_path / "tls.crt"),
        ],
        capture_output=True,
        check=True,
    )
    (tmp_path / "ca.crt").write_bytes((tmp_path / "tls.crt").read_bytes())
    moved = {
        "/etc/nats-tls": str(tmp_path),
        "store_dir: /data": f"store_dir: {tmp_path / 'data'}",
        "/var/run/nats": str(tmp_path / "run"),
    }
    for name, text in _named(_render(overlay), "ConfigMap", "nats-config")["data"].items():
        for mounted, scratch in moved.items():
            text = text.replace(mounted, scratch)
        (tmp_path / name).write_text(text)
    checked = _nats_server_test(tmp_path / "nats.conf")
    assert checked.returncode == 0, checked.stderr
    # the check can fail: a configuration that names a certificate that is not there
    (tmp_path / "nats.conf").write_text(
        (tmp_path / "nats.conf").read_text().replace("tls.key", "missing.key")
    )
    assert _nats_server_test(tmp_path / "nats.conf").returncode != 0


# One machine.


def test_single_runs_one_nats_server_and_streams_at_one_replica() -> None:
    docs = _render("single")
    assert _workloads(docs)["nats"]["spec"]["replicas"] == 1
    conf = _nats_conf(docs)
    assert "jetstream {" in conf
    assert "cluster {" not in conf  # no routes to servers that do not exist
    assert _named(docs, "ConfigMap", "uptake-config")["data"]["NATS_STREAM_REPLICAS"] == "1"
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "PodDisruptionBudget"} == set()
    for name, workload in _workloads(docs).items():
        assert workload["spec"]["replicas"] == 1, name


# Past one machine.


def test_cluster_runs_three_nats_servers_on_three_machines_with_routes_over_tls() -> None:
    docs = _render("cluster")
    nats = _workloads(docs)["nats"]
    assert nats["kind"] == "StatefulSet"
    assert nats["spec"]["replicas"] == 3
    headless = _named(docs, "Service", nats["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"
    (anti,) = nats["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    assert anti["labelSelector"]["matchLabels"].items() <= (
        nats["spec"]["template"]["metadata"]["labels"].items()
    )
    conf = _nats_conf(docs)
    cluster = conf.split("cluster {", 1)[1]
    assert "verify: true" in cluster
    routes = re.findall(r"tls://(nats-\d)\.nats-cluster\.uptake\.svc\.cluster\.local:6222", cluster)
    assert routes == ["nats-0", "nats-1", "nats-2"]
    (claim,) = nats["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert "store_dir: /data" in conf
    mounts = nats["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in mounts


def test_cluster_nats_conf_is_the_base_one_but_for_the_store_size() -> None:
    def kept(conf: str) -> list[str]:
        return [line for line in _without_comments(conf) if "max_file_store" not in line]

    assert kept(_nats_conf(_render("cluster"))) == kept(_base_nats_conf())


def test_cluster_streams_keep_three_replicas_with_a_setting_every_service_reads() -> None:
    config = _named(_render("cluster"), "ConfigMap", "uptake-config")["data"]
    assert config["NATS_STREAM_REPLICAS"] == "3"
    for name, model in SETTINGS.items():
        assert "NATS_STREAM_REPLICAS" in _env_names(model), name
    assert shared_settings.CommonSettings(nats_stream_replicas=3).nats_stream_replicas == 3


def test_cluster_has_a_disruption_budget_for_every_workload() -> None:
    docs = _render("cluster")
    budgets = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    for name, workload in _workloads(docs).items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        covering = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(covering) == 1, name
        (budget,) = covering
        replicas = workload["spec"]["replicas"]
        if "minAvailable" in budget["spec"]:
            # a drain can still move a pod: never all of them required
            assert budget["spec"]["minAvailable"] < replicas, name
    assert _named(docs, "PodDisruptionBudget", "nats")["spec"]["minAvailable"] == 2
    assert _named(docs, "PodDisruptionBudget", "api")["spec"]["minAvailable"] >= 1


def test_cluster_scales_the_gateway_on_cpu_from_two_replicas() -> None:
    docs = _render("cluster")
    api = _workloads(docs)["api"]
    assert api["kind"] == "Deployment"
    assert api["spec"]["replicas"] >= 2
    (autoscaler,) = [d for d in docs if d["kind"] == "HorizontalPodAutoscaler"]
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "api")
    assert autoscaler["spec"]["minReplicas"] >= 2
    assert autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"]
    (metric,) = autoscaler["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert _quantity(container["resources"]["requests"]["cpu"]) > 0  # what utilisation is of


def test_cluster_keeps_the_single_writers_at_one_replica() -> None:
    """scoring until signals are partitioned by person, ingest for its schedule, notify
    until its politeness limits hold across replicas (deploy/README.md)."""
    workloads = _workloads(_render("cluster"))
    for name in ("scoring", "ingest", "notify"):
        assert workloads[name]["spec"]["replicas"] == 1, name
    assert workloads["ingest"]["spec"]["strategy"]["type"] == "Recreate"
