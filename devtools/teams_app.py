"""Builds the Teams app package: manifest, localized strings and icons, in one zip.

    make teams-app API_PUBLIC_URL=https://uptake.contoso.com API_AUTH_CLIENT_ID=<guid>

Settings come from the arguments or the environment: the gateway's public address
(``--public-url``, ``API_PUBLIC_URL``, https), the client id of its Entra app registration
(``--client-id``, ``API_AUTH_CLIENT_ID``), the app's own id (``--app-id``,
``TEAMS_APP_ID``; by default a UUID derived from the public address, so rebuilding keeps
it) and its version (``--app-version``, ``TEAMS_APP_VERSION``; raise it for every upload
of a changed package). The package holds:

- ``manifest.json`` on manifest schema ``MANIFEST_VERSION``: a personal tab "My progress"
  (``/me``), a channel tab set up at ``/teams/config`` that shows one team's or
  department's board, ``webApplicationInfo`` for Teams single sign-on (the client id and
  ``api://{host}/{client id}``) and the gateway's host as the one valid domain;
- ``en.json``, ``nl.json``, ``fr.json``: the names and descriptions per language;
- ``color.png`` (192x192) and ``outline.png`` (32x32, white on transparent), drawn from
  the gateway's favicon.

Before it writes anything it validates the manifest and the language files against the
vendored JSON schemas (``devtools/teams_schema/``, see ``devtools/teams_vendor.py``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devtools.favicon_icons import color_icon, favicon_colors, outline_icon
from services.api.auth.teams import teams_resource

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_VERSION = "1.30"
SCHEMA_DIR = Path(__file__).resolve().parent / "teams_schema"
SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v{}/MicrosoftTeams{}.schema.json"
FAVICON = ROOT / "services" / "api" / "static" / "favicon.svg"
OUTPUT = ROOT / "var" / "teams" / "uptake-teams-app.zip"
DEFAULT_VERSION = "1.0.0"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
LANGUAGES = ("en", "nl", "fr")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "name.short": "Uptake",
        "name.full": "Uptake: Copilot adoption as a game",
        "description.short": "Your Copilot progress and badges, and your team's board, in Teams",
        "description.full": "Uptake turns Microsoft 365 Copilot adoption into a friendly game:"
        " points, badges, levels and streaks for what you try with Copilot, and boards for"
        " teams and departments. The personal tab shows your own progress and what to try"
        " next; a channel tab shows your team's or department's board, live. Names appear"
        " only for colleagues who chose so.",
        "staticTabs[0].name": "My progress",
    },
    "nl": {
        "name.short": "Uptake",
        "name.full": "Uptake: Copilot-gebruik als spel",
        "description.short": "Je Copilot-voortgang en badges, en het bord van je team, in Teams",
        "description.full": "Uptake maakt van de invoering van Microsoft 365 Copilot een"
        " vriendelijk spel: punten, badges, niveaus en reeksen voor wat je met Copilot"
        " probeert, en borden voor teams en afdelingen. Het persoonlijke tabblad toont je"
        " eigen voortgang en wat je nog kunt proberen; een kanaaltabblad toont live het bord"
        " van je team of afdeling. Namen verschijnen alleen van collega's die daarvoor kozen.",
        "staticTabs[0].name": "Mijn voortgang",
    },
    "fr": {
        "name.short": "Uptake",
        "name.full": "Uptake\u00a0: l'adoption de Copilot en jeu",
        "description.short": "Votre progression Copilot, vos badges et le tableau de votre équipe",
        "description.full": "Uptake fait de l'adoption de Microsoft 365 Copilot un jeu"
        " convivial\u00a0: des points, des badges, des niveaux et des séries pour ce que vous"
        " essayez avec Copilot, et des tableaux pour les équipes et les départements."
        " L'onglet personnel montre votre progression et ce qu'il vous reste à essayer\u00a0;"
        " un onglet de canal affiche en direct le tableau de votre équipe ou de votre"
        " département. Seuls les collègues qui l'ont choisi y figurent par leur nom.",
        "staticTabs[0].name": "Ma progression",
    },
}


@dataclass(frozen=True)
class AppSettings:
    public_url: str  # https://host[:port][/path], no trailing slash
    client_id: str
    app_id: str
    version: str

    @property
    def host(self) -> str:
        parts = urlsplit(self.public_url)
        return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


def settings_from(
    public_url: str | None, client_id: str | None, app_id: str | None, version: str | None
) -> AppSettings:
    """Checked settings; ValueError says what is missing or wrong, and how to give it."""
    if not public_url:
        raise ValueError(
            "the gateway's public address is needed: --public-url or API_PUBLIC_URL "
            "(e.g. https://uptake.contoso.com)"
        )
    parts = urlsplit(public_url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"Teams loads tabs over https only: {public_url!r} is not https://host")
    if not client_id or not GUID.match(client_id):
        raise ValueError(
            "the Entra app registration's client id (a GUID) is needed: --client-id or "
            "API_AUTH_CLIENT_ID"
        )
    base = public_url.rstrip("/")
    app_id = app_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/teams-app"))
    if not GUID.match(app_id):
        raise ValueError(f"the Teams app id must be a GUID: {app_id!r}")
    version = version or DEFAULT_VERSION
    if not SEMVER.match(version):
        raise ValueError(f"the app version must look like 1.2.3: {version!r}")
    return AppSettings(base, client_id.lower(), app_id.lower(), version)


def manifest(app: AppSettings, accent: str) -> dict[str, Any]:
    en, public = STRINGS["en"], app.public_url
    return {
        "$schema": SCHEMA_URL.format(MANIFEST_VERSION, ""),
        "manifestVersion": MANIFEST_VERSION,
        "version": app.version,
        "id": app.app_id,
        "developer": {
            "name": "Uptake",
            "websiteUrl": f"{public}/",
            "privacyUrl": f"{public}/me#privacy",
            "termsOfUseUrl": f"{public}/me#privacy",
        },
        "name": {"short": en["name.short"], "full": en["name.full"]},
        "description": {"short": en["description.short"], "full": en["description.full"]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": accent,
        "localizationInfo": {
            "defaultLanguageTag": "en",
            "defaultLanguageFile": "en.json",
            "additionalLanguages": [
                {"languageTag": lang, "file": f"{lang}.json"} for lang in LANGUAGES if lang != "en"
            ],
        },
        "staticTabs": [
            {
                "entityId": "my-progress",
                "name": en["staticTabs[0].name"],
                "contentUrl": f"{public}/me?inTeams=1",
                "websiteUrl": f"{public}/me",
                "scopes": ["personal"],
            }
        ],
        "configurableTabs": [
            {
                "id": "board",
                "configurationUrl": f"{public}/teams/config?inTeams=1",
                "canUpdateConfiguration": True,
                "scopes": ["team", "groupChat"],
                "context": ["channelTab", "privateChatTab", "meetingChatTab"],
            }
        ],
        "validDomains": [app.host],
        "webApplicationInfo": {
            "id": app.client_id,
            "resource": teams_resource(public, app.client_id),
        },
    }


def localization(lang: str) -> dict[str, str]:
    return {"$schema": SCHEMA_URL.format(MANIFEST_VERSION, ".Localization"), **STRINGS[lang]}


def package_files(app: AppSettings, favicon: Path = FAVICON) -> dict[str, bytes]:
    """Every file of the package by name, validated against the schemas."""
    svg = favicon.read_text()
    accent = favicon_colors(svg)[0].upper()
    files = {"manifest.json": _json(manifest(app, accent))}
    files |= {f"{lang}.json": _json(localization(lang)) for lang in LANGUAGES}
    files["color.png"] = color_icon(svg)
    files["outline.png"] = outline_icon(svg)
    validate(files)
    return files


def validate(files: dict[str, bytes]) -> None:
    """ValueError listing what breaks the vendored schemas, in the manifest or a language."""
    from jsonschema import Draft4Validator  # a development dependency, as this tool is

    problems: list[str] = []
    schemas = {
        "": json.loads((SCHEMA_DIR / "MicrosoftTeams.schema.json").read_text()),
        ".Localization": json.loads(
            (SCHEMA_DIR / "MicrosoftTeams.Localization.schema.json").read_text()
        ),
    }
    for name, content in files.items():
        if not name.endswith(".json"):
            continue
        kind = "" if name == "manifest.json" else ".Localization"
        document = json.loads(content)
        for error in Draft4Validator(schemas[kind]).iter_errors(document):
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            problems.append(f"{name}: {where}: {error.message}")
    if problems:
        raise ValueError("the package breaks the manifest schema:\n" + "\n".join(problems))


def write_zip(files: dict[str, bytes], target: Path) -> Path:
    """The zip Teams takes; entries in a fixed order and time, so equal input, equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, files[name])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.teams_app", description=__doc__)
    env = os.environ.get
    parser.add_argument("--public-url", default=env("API_PUBLIC_URL"))
    parser.add_argument("--client-id", default=env("API_AUTH_CLIENT_ID"))
    parser.add_argument("--app-id", default=env("TEAMS_APP_ID"))
    parser.add_argument("--app-version", default=env("TEAMS_APP_VERSION"))
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    try:
        app = settings_from(args.public_url, args.client_id, args.app_id, args.app_version)
        written = write_zip(package_files(app), args.out)
    except ValueError as exc:
        raise SystemExit(f"teams-app: {exc}") from None
    print(written)
    print(f"Teams app {app.app_id} version {app.version} for {app.public_url}")


if __name__ == "__main__":
    main()
