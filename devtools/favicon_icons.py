"""PNG icons drawn from the gateway's favicon, for the Teams app package.

The favicon is an SVG of filled rectangles (rounded or not) and straight-edged paths
(``M``, ``L``, ``H``, ``V``, ``Z``, absolute or relative); anything else is refused rather
than drawn wrong. The colour icon is the whole favicon; the outline icon, which Teams wants
white on transparent, is the mark alone (every shape but the background, a rectangle
covering the whole view box), scaled to fill the icon.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from PIL import Image, ImageColor, ImageDraw

SVG = "{http://www.w3.org/2000/svg}"
SUPERSAMPLE = 8  # drawn this much larger, then scaled down: smooth edges
TOKEN = re.compile(r"[A-DF-Za-df-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    polygons: tuple[tuple[Point, ...], ...]  # empty for a rectangle
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    radius: float
    fill: str

    @property
    def is_rect(self) -> bool:
        return not self.polygons


def _number(element: ET.Element, name: str) -> float:
    return float(element.get(name, "0"))


def path_polygons(d: str) -> tuple[tuple[Point, ...], ...]:
    """The closed outlines of a path of straight lines."""
    tokens = TOKEN.findall(d)
    polygons: list[tuple[Point, ...]] = []
    points: list[Point] = []
    x = y = 0.0
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if points:
                    polygons.append(tuple(points))
                    x, y = points[0]
                points = []
                continue
        if command == "":
            raise ValueError("a path must start with M")
        relative = command.islower()
        kind = command.upper()
        if kind in "ML":
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if kind == "M" and points:
                polygons.append(tuple(points))
                points = []
            points.append((x, y))
            if kind == "M":
                command = "l" if relative else "L"  # pairs after a moveto are linetos
        elif kind in "HV":
            value = float(tokens[i])
            i += 1
            if kind == "H":
                x = x + value if relative else value
            else:
                y = y + value if relative else value
            points.append((x, y))
        else:
            raise ValueError(f"path command {command!r} is not drawn here")
    if len(points) > 2:
        polygons.append(tuple(points))
    return tuple(polygons)


def parse(svg: str) -> tuple[tuple[float, float, float, float], list[Shape]]:
    """The view box (x, y, width, height) and the filled shapes, in drawing order."""
    root = ET.fromstring(svg)  # noqa: S314 - the project's own favicon
    view = tuple(float(v) for v in root.get("viewBox", "").replace(",", " ").split())
    if len(view) != 4:
        raise ValueError("the favicon needs a viewBox")
    shapes: list[Shape] = []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        fill = element.get("fill", "#000")
        if tag == "rect":
            x, y = _number(element, "x"), _number(element, "y")
            box = (x, y, x + _number(element, "width"), y + _number(element, "height"))
            shapes.append(Shape((), box, _number(element, "rx"), fill))
        elif tag == "path":
            polygons = path_polygons(element.get("d", ""))
            xs = [p[0] for poly in polygons for p in poly]
            ys = [p[1] for poly in polygons for p in poly]
            shapes.append(Shape(polygons, (min(xs), min(ys), max(xs), max(ys)), 0.0, fill))
        elif tag not in ("svg", "title", "desc"):
            raise ValueError(f"<{tag}> in the favicon is not drawn here")
    return (view[0], view[1], view[2], view[3]), shapes


def favicon_colors(svg: str) -> list[str]:
    """The fills of the favicon's shapes, background first."""
    return [shape.fill for shape in parse(svg)[1]]


def _draw(
    draw: ImageDraw.ImageDraw,
    shape: Shape,
    origin: Point,
    scale: float,
    fill: str | int,
) -> None:
    def at(point: Point) -> Point:
        return ((point[0] - origin[0]) * scale, (point[1] - origin[1]) * scale)

    if shape.is_rect:
        (x0, y0), (x1, y1) = at(shape.box[:2]), at(shape.box[2:])
        draw.rounded_rectangle((x0, y0, x1 - 1, y1 - 1), radius=shape.radius * scale, fill=fill)
    for polygon in shape.polygons:
        draw.polygon([at(p) for p in polygon], fill=fill)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def color_icon(svg: str, size: int = 192) -> bytes:
    """The whole favicon at ``size`` pixels square."""
    (vx, vy, width, height), shapes = parse(svg)
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        r, g, b = ImageColor.getrgb(shape.fill)[:3]
        _draw(draw, shape, (vx, vy), big / max(width, height), f"#{r:02x}{g:02x}{b:02x}")
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


def outline_icon(svg: str, size: int = 32, margin: int = 1) -> bytes:
    """The favicon's mark, white on transparent, filling ``size`` less ``margin``."""
    (vx, vy, width, height), shapes = parse(svg)

    def background(s: Shape) -> bool:
        x0, y0, x1, y1 = s.box
        return s.is_rect and x0 <= vx and y0 <= vy and x1 >= vx + width and y1 >= vy + height

    marks = [s for s in shapes if not background(s)]
    if not marks:
        raise ValueError("the favicon has no mark over its background")
    x0 = min(s.box[0] for s in marks)
    y0 = min(s.box[1] for s in marks)
    x1 = max(s.box[2] for s in marks)
    y1 = max(s.box[3] for s in marks)
    big = size * SUPERSAMPLE
    room = (size - 2 * margin) * SUPERSAMPLE
    scale = room / max(x1 - x0, y1 - y0)
    # Centred: the origin moves so the mark's box sits in the middle of the icon.
    ox = x0 - (big - (x1 - x0) * scale) / 2 / scale
    oy = y0 - (big - (y1 - y0) * scale) / 2 / scale
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    for shape in marks:
        _draw(draw, shape, (ox, oy), scale, 255)
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    image.putalpha(mask.resize((size, size), Image.Resampling.LANCZOS))
    return _png(image)
