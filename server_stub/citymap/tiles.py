"""The demo base map: 256-pixel PNG tiles (XYZ / "slippy map" scheme, Web Mercator) drawn with Pillow.

Production points CITY_SERVER_MAP_TILES at the city's or OpenStreetMap's tile server; tests and the demo
use these tiles, served at /map/tiles/{z}/{x}/{y}.png. They draw the centre of Dnipro schematically in
OpenStreetMap's colours: land, the river Dnipro, parks, a grid of streets with the main avenues wider.
Drawing is in geographic coordinates, so lines run on across tile edges.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw

TILE = 256
MAX_ZOOM = 18
LAND, WATER, PARK = (242, 239, 233), (170, 211, 223), (200, 250, 204)
STREET, CASING, AVENUE = (255, 255, 255), (200, 192, 180), (252, 214, 164)
# (lat, lon) outlines of the demo area
RIVER = [(48.530, 34.900), (48.515, 34.960), (48.500, 35.000), (48.487, 35.040), (48.480, 35.080),
         (48.470, 35.120), (48.455, 35.170), (48.440, 35.170), (48.455, 35.120), (48.464, 35.080),
         (48.471, 35.040), (48.484, 35.000), (48.498, 34.960), (48.512, 34.900)]
PARKS = [[(48.4685, 35.0480), (48.4685, 35.0570), (48.4635, 35.0570), (48.4635, 35.0480)],   # Globa park
         [(48.4740, 35.0230), (48.4740, 35.0330), (48.4700, 35.0330), (48.4700, 35.0230)],
         [(48.4560, 35.0350), (48.4560, 35.0420), (48.4520, 35.0420), (48.4520, 35.0350)]]
AVENUES = [[(48.4440, 34.990), (48.4560, 35.020), (48.4630, 35.045), (48.4700, 35.080)],   # Yavornytskoho
           [(48.4300, 35.030), (48.4500, 35.040), (48.4640, 35.047), (48.4720, 35.050)]]  # Polia
GRID = (48.400, 48.480, 0.004, 34.950, 35.150, 0.006)  # lat from, to, step; lon from, to, step


def world_px(lat: float, lon: float, z: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates of a point at zoom ``z`` (the whole world is TILE * 2**z wide)."""
    size = TILE * 2 ** z
    lat = max(min(lat, 85.0511), -85.0511)
    phi = math.radians(lat)
    return (lon + 180) / 360 * size, (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * size


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    x, y = world_px(lat, lon, z)
    return int(x // TILE), int(y // TILE)


def _grid_lines() -> list[list[tuple[float, float]]]:
    lat0, lat1, dlat, lon0, lon1, dlon = GRID
    lines = []
    for i in range(round((lat1 - lat0) / dlat) + 1):
        lines.append([(lat0 + i * dlat, lon0), (lat0 + i * dlat, lon1)])
    for i in range(round((lon1 - lon0) / dlon) + 1):
        lines.append([(lat0, lon0 + i * dlon), (lat1, lon0 + i * dlon)])
    return lines


@lru_cache(maxsize=2048)
def render(z: int, x: int, y: int) -> bytes:
    """One tile as PNG bytes. Raises ValueError for a tile outside the zoom range or the world."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise ValueError("no such tile")
    img = Image.new("RGB", (TILE, TILE), LAND)
    draw = ImageDraw.Draw(img)
    ox, oy = x * TILE, y * TILE

    def px(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(wx - ox, wy - oy) for wx, wy in (world_px(lat, lon, z) for lat, lon in points)]

    for park in PARKS:
        draw.polygon(px(park), fill=PARK)
    if z >= 13:
        width = max(1, 2 ** (z - 13))
        for line in _grid_lines():
            draw.line(px(line), fill=CASING, width=width + 2)
        for line in _grid_lines():
            draw.line(px(line), fill=STREET, width=width)
    draw.polygon(px(RIVER), fill=WATER)  # over the street grid; the avenues cross it on bridges
    if z >= 11:
        width = max(2, 2 ** (z - 12))
        for line in AVENUES:
            draw.line(px(line), fill=CASING, width=width + 2, joint="curve")
            draw.line(px(line), fill=AVENUE, width=width, joint="curve")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()
