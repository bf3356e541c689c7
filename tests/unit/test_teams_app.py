"""The Teams app package: a manifest the vendored schema accepts, localized strings, icons of
the sizes Teams wants drawn from the favicon, and every address under the gateway's."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from PIL import Image

from devtools import teams_app
from devtools.favicon_icons import favicon_colors, path_polygons
from devtools.teams_app import (
    FAVICON,
    MANIFEST_VERSION,
    SCHEMA_DIR,
    AppSettings,
    main,
    package_files,
    settings_from,
    validate,
    write_zip,
)

PUBLIC = "https://uptake.example.test"
CLIENT = "0b7a6c1e-3f2d-4c5b-8a9e-1d2c3b4a5f60"
EXPECTED = {"manifest.json", "en.json", "nl.json", "fr.json", "color.png", "outline.png"}


def schema(kind: str = "") -> dict[str, Any]:
    path = SCHEMA_DIR / f"MicrosoftTeams{kind}.schema.json"
    found: dict[str, Any] = json.loads(path.read_text())
    return found


@pytest.fixture(scope="module")
def app() -> AppSettings:
    return settings_from(PUBLIC, CLIENT, None, "1.2.3")


@pytest.fixture(scope="module")
def package(app: AppSettings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    target = write_zip(package_files(app), tmp_path_factory.mktemp("teams") / "app.zip")
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def manifest(package: dict[str, bytes]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(package["manifest.json"])
    return found


def test_the_vendored_schema_is_the_manifest_version_built_for() -> None:
    assert schema()["properties"]["manifestVersion"]["const"] == MANIFEST_VERSION
    assert (SCHEMA_DIR / "LICENSE").read_text().startswith("MIT License")
    assert "@microsoft/app-manifest" in (SCHEMA_DIR / "README.md").read_text()


def test_the_zip_holds_the_manifest_its_languages_and_two_icons(
    package: dict[str, bytes],
) -> None:
    assert set(package) == EXPECTED


def test_the_manifest_is_valid_on_the_current_schema(manifest: dict[str, Any]) -> None:
    errors = sorted(Draft4Validator(schema()).iter_errors(manifest), key=str)
    assert errors == []
    assert manifest["manifestVersion"] == MANIFEST_VERSION
    assert float(MANIFEST_VERSION) >= 1.19
    assert manifest["$schema"].endswith(f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")
    assert manifest["version"] == "1.2.3"


def test_a_broken_manifest_is_refused_before_anything_is_written(app: AppSettings) -> None:
    files = package_files(app)
    broken = json.loads(files["manifest.json"])
    broken["accentColor"] = "yellow"
    broken["staticTabs"][0]["scopes"] = ["everyone"]
    with pytest.raises(ValueError, match="accentColor") as refused:
        validate({**files, "manifest.json": json.dumps(broken).encode()})
    assert "staticTabs/0/scopes/0" in str(refused.value)
    misspelt = {**json.loads(files["nl.json"]), "staticTabs[0].title": "Mijn voortgang"}
    with pytest.raises(ValueError, match=r"nl.json: \(top\)"):
        validate({**files, "nl.json": json.dumps(misspelt).encode()})


def test_tabs_single_sign_on_and_domains(manifest: dict[str, Any]) -> None:
    (personal,) = manifest["staticTabs"]
    assert personal["contentUrl"] == f"{PUBLIC}/me?inTeams=1"
    assert personal["scopes"] == ["personal"]
    assert personal["name"] == "My progress"
    (channel,) = manifest["configurableTabs"]
    assert channel["configurationUrl"] == f"{PUBLIC}/teams/config?inTeams=1"
    assert "team" in channel["scopes"] and "channelTab" in channel["context"]
    assert manifest["webApplicationInfo"] == {
        "id": CLIENT,
        "resource": f"api://uptake.example.test/{CLIENT}",
    }
    assert manifest["validDomains"] == ["uptake.example.test"]


def urls(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [u for v in value.values() for u in urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in urls(v)]
    return [value] if isinstance(value, str) and "://" in value else []


def test_every_address_is_under_the_public_url(manifest: dict[str, Any]) -> None:
    found = urls({k: v for k, v in manifest.items() if k not in ("$schema", "webApplicationInfo")})
    assert len(found) >= 6
    assert all(u == f"{PUBLIC}/" or u.startswith(f"{PUBLIC}/") for u in found), found


def test_a_gateway_under_a_path_keeps_its_path_and_port() -> None:
    app = settings_from("https://intra.example.test:8443/uptake/", CLIENT, None, None)
    document = json.loads(package_files(app)["manifest.json"])
    assert document["staticTabs"][0]["contentUrl"] == (
        "https://intra.example.test:8443/uptake/me?inTeams=1"
    )
    assert document["validDomains"] == ["intra.example.test:8443"]
    assert document["webApplicationInfo"]["resource"] == f"api://intra.example.test:8443/{CLIENT}"
    assert document["version"] == "1.0.0"


def test_each_language_file_is_valid_and_translated(
    package: dict[str, bytes], manifest: dict[str, Any]
) -> None:
    info = manifest["localizationInfo"]
    assert info["defaultLanguageTag"] == "en" and info["defaultLanguageFile"] == "en.json"
    assert {(a["languageTag"], a["file"]) for a in info["additionalLanguages"]} == {
        ("nl", "nl.json"),
        ("fr", "fr.json"),
    }
    tabs = {}
    for lang in ("en", "nl", "fr"):
        strings = json.loads(package[f"{lang}.json"])
        assert list(Draft4Validator(schema(".Localization")).iter_errors(strings)) == []
        assert {"name.short", "name.full", "description.short", "description.full"} <= set(strings)
        tabs[lang] = strings["staticTabs[0].name"]
    assert tabs == {"en": "My progress", "nl": "Mijn voortgang", "fr": "Ma progression"}
    assert json.loads(package["en.json"])["name.full"] == manifest["name"]["full"]


def pixels(png: bytes) -> tuple[tuple[int, int], list[tuple[int, int, int, int]]]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    raw = image.convert("RGBA").tobytes()
    return image.size, [(raw[i], raw[i + 1], raw[i + 2], raw[i + 3]) for i in range(0, len(raw), 4)]


def test_the_color_icon_is_the_favicon_at_192(package: dict[str, bytes]) -> None:
    size, data = pixels(package["color.png"])
    assert size == (192, 192)
    background, mark = (
        tuple(int(c.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
        for c in favicon_colors(FAVICON.read_text())
    )
    at = {(x, y): data[y * 192 + x] for x, y in ((20, 96), (96, 110), (96, 20))}
    assert at[(20, 96)][:3] == background and at[(20, 96)][3] == 255
    assert at[(96, 110)][:3] == mark  # inside the triangle
    assert at[(96, 20)][:3] == background  # above its tip


def test_the_outline_icon_is_white_on_transparent_at_32(package: dict[str, bytes]) -> None:
    size, data = pixels(package["outline.png"])
    assert size == (32, 32)
    drawn = [p for p in data if p[3] > 0]
    assert all(p[:3] == (255, 255, 255) for p in drawn)
    assert data[0][3] == 0 and data[31][3] == 0  # the top corners stay clear
    assert 200 < sum(p[3] == 255 for p in data) < 32 * 32 - 200  # a mark, not a square


def test_the_app_id_stays_with_the_address_and_builds_are_identical(
    app: AppSettings, tmp_path: Path
) -> None:
    again = settings_from(PUBLIC + "/", CLIENT, None, "1.2.3")
    assert again.app_id == app.app_id
    assert settings_from("https://other.example.test", CLIENT, None, None).app_id != app.app_id
    assert settings_from(PUBLIC, CLIENT, CLIENT.upper(), None).app_id == CLIENT
    first = write_zip(package_files(app), tmp_path / "a.zip").read_bytes()
    second = write_zip(package_files(again), tmp_path / "b.zip").read_bytes()
    assert first == second


@pytest.mark.parametrize(
    ("public_url", "client_id", "app_id", "version", "complaint"),
    [
        (None, CLIENT, None, None, "API_PUBLIC_URL"),
        ("http://uptake.example.test", CLIENT, None, None, "https only"),
        ("https://uptake.example.test/?x=1", CLIENT, None, None, "https only"),
        (PUBLIC, None, None, None, "API_AUTH_CLIENT_ID"),
        (PUBLIC, "uptake", None, None, "API_AUTH_CLIENT_ID"),
        (PUBLIC, CLIENT, "my-app", None, "GUID"),
        (PUBLIC, CLIENT, None, "v2", "1.2.3"),
    ],
)
def test_settings_that_cannot_make_a_working_app_are_refused(
    public_url: str | None,
    client_id: str | None,
    app_id: str | None,
    version: str | None,
    complaint: str,
) -> None:
    with pytest.raises(ValueError, match=complaint):
        settings_from(public_url, client_id, app_id, version)


def test_the_command_reads_the_environment_and_prints_the_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("API_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("API_AUTH_CLIENT_ID", CLIENT)
    monkeypatch.setenv("TEAMS_APP_VERSION", "2.0.1")
    target = tmp_path / "out" / "uptake.zip"
    main(["--out", str(target)])
    assert capsys.readouterr().out.splitlines()[0] == str(target)
    with zipfile.ZipFile(target) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == "2.0.1"
    monkeypatch.delenv("API_PUBLIC_URL")
    with pytest.raises(SystemExit, match="API_PUBLIC_URL"):
        main(["--out", str(target)])


def test_favicon_paths_are_read_with_implicit_and_relative_lines() -> None:
    assert path_polygons("M9 22 16 9l7 13z") == (((9.0, 22.0), (16.0, 9.0), (23.0, 22.0)),)
    assert path_polygons("M0 0H4V4h-4Z M10 10 l1 0 0 1z") == (
        ((0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)),
        ((10.0, 10.0), (11.0, 10.0), (11.0, 11.0)),
    )
    with pytest.raises(ValueError, match="'C'"):
        path_polygons("M0 0 C 1 1 2 2 3 3")
    assert teams_app.OUTPUT.name == "uptake-teams-app.zip"
