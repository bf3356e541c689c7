"""Vendors the official AsyncAPI 3.0.0 JSON Schema from the npm package ``@asyncapi/specs``
into ``tests/unit/schemas/``, so that the tests validate the gateway's AsyncAPI document
offline.

The package ships each version twice: with ``$id`` values that point at asyncapi.com, and
bundled as ``schemas/3.0.0-without-$id.json``, where every definition sits in one file and
every ``$ref`` is local (``#/definitions/...``). The bundled one is copied, so a Draft 7
validator needs no network fetch.

The tarball is fetched with ``npm pack NAME@VERSION`` (npm checks it against the registry's
integrity value) and checked once more here against ``INTEGRITY`` below, so that an update
is a reviewed change of both version and integrity. To update, change both and run
``python -m devtools.asyncapi_schema``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from devtools.npm_vendor import Packed, npm_pack, vendored_readme

ROOT = Path(__file__).resolve().parent.parent
SPECS = ("@asyncapi/specs", "6.11.1")
INTEGRITY = (
    "sha512-"
    "A3WBLqAKGoJ2+6FWFtpjBlCQ1oFCcs4GxF7zsIGvNqp/klGUHjlA3aAcZ9XMMpLGE8zPeYDz2x9FmO6DSuKraQ=="
)
SCHEMA_DIR = ROOT / "tests" / "unit" / "schemas"
SCHEMA_FILE = SCHEMA_DIR / "asyncapi-3.0.0.json"
BUNDLED = "schemas/3.0.0-without-$id.json"
# Apache-2.0: the licence and the notice travel with the copied file.
KEPT = ("LICENSE", "NOTICE")
COMMAND = "python -m devtools.asyncapi_schema"


def tarball_integrity(tarball: Path) -> str:
    """The Subresource Integrity value (``sha512-<base64>``) of ``tarball``, as npm writes it."""
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def check_integrity(packed: Packed, tarball: Path, expected: str = INTEGRITY) -> None:
    """Refuse a tarball that npm or the bytes on disk say is not the pinned one."""
    found = {"npm": packed.integrity, "tarball": tarball_integrity(tarball)}
    for where, value in found.items():
        if value != expected:
            raise SystemExit(
                f"{packed.name}@{packed.version}: {where} integrity {value}, not {expected}"
            )


def bundled_schema(packed: Packed) -> dict[str, object]:
    """The self-contained 3.0.0 schema; refuses one that still points outside itself."""
    schema: dict[str, object] = json.loads((packed.root / BUNDLED).read_text())
    outside = sorted(
        outside_refs(schema.get("definitions", {})) | outside_refs(schema.get("properties", {}))
    )
    if outside:
        raise SystemExit(f"{BUNDLED} refers outside itself: {outside[:5]}")
    return schema


def outside_refs(node: object) -> set[str]:
    """``$ref`` values that are not ``#/...`` pointers, skipping the schema's ``examples``."""
    if isinstance(node, dict):
        found = {
            ref
            for key, ref in node.items()
            if key == "$ref" and isinstance(ref, str) and not ref.startswith("#")
        }
        for key, value in node.items():
            if key != "examples":
                found |= outside_refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(outside_refs(item) for item in node)) if node else set()
    return set()


def vendor_schema(packed: Packed) -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    bundled_schema(packed)  # checked before anything is written
    shutil.copyfile(packed.root / BUNDLED, SCHEMA_FILE)
    for name in KEPT:
        shutil.copyfile(packed.root / name, SCHEMA_DIR / name)
    note = (
        "The AsyncAPI 3.0.0 JSON Schema (Draft 7), bundled: every `$ref` is local, so the\n"
        "tests validate the gateway's `/asyncapi` document offline. Copied as\n"
        f"`{SCHEMA_FILE.name}`. Apache-2.0 (`LICENSE`, `NOTICE`)."
    )
    text = vendored_readme(packed, [BUNDLED, *KEPT], note, COMMAND, "devtools/asyncapi_schema.py")
    (SCHEMA_DIR / "README.md").write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        packed = npm_pack(*SPECS, Path(work))
        # npm_pack unpacks NAME-VERSION.tgz into NAME-VERSION/package.
        unpacked = packed.root.parent
        check_integrity(packed, unpacked.with_name(unpacked.name + ".tgz"))
        vendor_schema(packed)
    print(f"vendored {SCHEMA_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
