"""Vendors what the Teams app takes from the npm registry, so nothing is fetched at run time.

- ``@microsoft/teams-js``: the Teams JavaScript library's minified UMD build and its
  licence, served by the gateway from ``services/api/static/vendor/teams-js/``;
- ``@microsoft/app-manifest``: the JSON schemas of the Teams app manifest and of its
  localization files for ``MANIFEST_VERSION``, in ``devtools/teams_schema/``, which the
  package builder and the tests validate against offline.

Each is fetched with ``npm pack NAME@VERSION`` (npm checks the tarball against the
registry's integrity value) and its files are copied unchanged; a README beside them
records the package, version, integrity and this command. To update, change a version
below and run ``make teams-vendor``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from devtools.npm_vendor import Packed, npm_pack, vendored_readme
from devtools.teams_app import MANIFEST_VERSION, SCHEMA_DIR

ROOT = Path(__file__).resolve().parent.parent
TEAMS_JS = ("@microsoft/teams-js", "2.58.0")
APP_MANIFEST = ("@microsoft/app-manifest", "1.1.2")
TEAMS_JS_DIR = ROOT / "services" / "api" / "static" / "vendor" / "teams-js"
COMMAND = "make teams-vendor (python -m devtools.teams_vendor)"
# @microsoft/app-manifest ships no licence file; its package.json says "MIT" and its
# sources carry "Copyright (c) Microsoft Corporation. Licensed under the MIT license."
MIT = """MIT License

Copyright (c) Microsoft Corporation.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def readme(packed: Packed, files: list[str], note: str) -> str:
    return vendored_readme(packed, files, note, COMMAND, "devtools/teams_vendor.py")


def vendor_teams_js(packed: Packed) -> None:
    TEAMS_JS_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        packed.root / "dist/umd/MicrosoftTeams.min.js", TEAMS_JS_DIR / "MicrosoftTeams.min.js"
    )
    shutil.copyfile(packed.root / "LICENSE", TEAMS_JS_DIR / "LICENSE")
    note = (
        "The Microsoft Teams JavaScript client library (TeamsJS), MIT licence (`LICENSE`).\n"
        "Pages load it only when they run inside Teams (`static/teams.js`)."
    )
    text = readme(packed, ["dist/umd/MicrosoftTeams.min.js", "LICENSE"], note)
    (TEAMS_JS_DIR / "README.md").write_text(text)


def vendor_schemas(packed: Packed) -> None:
    source = packed.root / "build/json-schemas/teams" / f"v{MANIFEST_VERSION}"
    names = ["MicrosoftTeams.schema.json", "MicrosoftTeams.Localization.schema.json"]
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, SCHEMA_DIR / name)
    (SCHEMA_DIR / "LICENSE").write_text(MIT)
    note = (
        f"The JSON schemas of the Teams app manifest {MANIFEST_VERSION} and of its localization\n"
        "files, as Microsoft publishes them, MIT licence (`LICENSE`: the package declares\n"
        "MIT in its package.json and ships no licence file of its own)."
    )
    files = [f"build/json-schemas/teams/v{MANIFEST_VERSION}/{name}" for name in names]
    (SCHEMA_DIR / "README.md").write_text(readme(packed, files, note))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.teams_vendor", description=__doc__)
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        vendor_teams_js(npm_pack(*TEAMS_JS, Path(work)))
        vendor_schemas(npm_pack(*APP_MANIFEST, Path(work)))
    print(f"vendored {TEAMS_JS_DIR.relative_to(ROOT)} and {SCHEMA_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
