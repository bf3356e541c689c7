"""Fetching front-end files from the npm registry into the repository, so that nothing is
fetched at run time: ``npm pack`` of one exact version (npm checks the tarball against
the registry's integrity value), unpacked, and a README beside the copied files that
records the package, version, integrity and the command that copied them."""

from __future__ import annotations

import json
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Packed:
    name: str
    version: str
    integrity: str
    root: Path  # the unpacked package/ folder


def npm_pack(name: str, version: str, work: Path) -> Packed:
    """``npm pack`` one exact version into ``work`` and unpack it there."""
    found = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(work)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(found.stdout)[0]
    if info["version"] != version:
        raise SystemExit(f"npm packed {name}@{info['version']}, not {version}")
    target = work / info["filename"].removesuffix(".tgz")
    with tarfile.open(work / info["filename"]) as archive:
        archive.extractall(target, filter="data")
    return Packed(name, version, str(info["integrity"]), target / "package")


def vendored_readme(packed: Packed, files: list[str], note: str, command: str, source: str) -> str:
    """The README kept beside vendored files: what they are and how to update them."""
    listed = "\n".join(f"- `{f}`" for f in files)
    return (
        f"# {packed.name} {packed.version}\n\n{note}\n\n"
        f"Copied unchanged from the npm package `{packed.name}@{packed.version}`\n"
        f"(integrity `{packed.integrity}`):\n\n{listed}\n\n"
        f"Fetched with `npm pack {packed.name}@{packed.version}` by `{command}`;\n"
        f"change the version in `{source}` and run it again to update.\n"
    )
