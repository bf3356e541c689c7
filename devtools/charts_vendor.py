"""Vendors the cockpit's charting library from the npm registry: uPlot, served by the
gateway from ``services/api/static/vendor/uplot/``.

uPlot draws time series on a canvas: about 50 KB minified with no dependencies, fast
with thousands of points, and it needs no inline scripts or styles, so the pages keep
their strict Content-Security-Policy. Heatmaps and bars are plain HTML tables, which
read well with a screen reader and copy into a spreadsheet as they are.

To update, change the version below and run ``make charts-vendor``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from devtools.npm_vendor import Packed, npm_pack, vendored_readme

ROOT = Path(__file__).resolve().parent.parent
UPLOT = ("uplot", "1.6.32")
UPLOT_DIR = ROOT / "services" / "api" / "static" / "vendor" / "uplot"
FILES = ("dist/uPlot.iife.min.js", "dist/uPlot.min.css", "LICENSE")


def vendor_uplot(packed: Packed) -> None:
    UPLOT_DIR.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(packed.root / name, UPLOT_DIR / Path(name).name)
    note = "uPlot, a small and fast chart library for time series, MIT licence (`LICENSE`)."
    command = "make charts-vendor (python -m devtools.charts_vendor)"
    text = vendored_readme(packed, list(FILES), note, command, "devtools/charts_vendor.py")
    (UPLOT_DIR / "README.md").write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.charts_vendor", description=__doc__)
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        vendor_uplot(npm_pack(*UPLOT, Path(work)))
    print(f"vendored {UPLOT_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
