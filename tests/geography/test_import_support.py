"""Writers for the small files the import tests feed in (no tests here).

The Shapefile writer is written by hand so that a test controls the exact bytes: Shift_JIS text in
a .dbf without a .cpg (as e-Stat ships them), a .prj naming JGD2000, a zip holding the lot.
"""

from __future__ import annotations

import itertools
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from pyproj import CRS

LON, LAT = 139.70, 35.60


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Messages are asserted in English; import this fixture into a test module to use it."""
    with translation.override("en"):
        yield


def square_ring(lon: float, lat: float, size: float = 0.01) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def polygon(ring: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


def feature(properties: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(path: Path, features: list[dict[str, Any]], crs_epsg: int | None = None) -> Path:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs_epsg:
        data["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs_epsg}"}}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


# -- Shapefile ------------------------------------------------------------------------------------


def _clockwise(ring: list[list[float]]) -> list[list[float]]:
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    return ring if area < 0 else list(reversed(ring))


def _shp_header(length_words: int, bbox: tuple[float, float, float, float]) -> bytes:
    return (
        struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words)
        + struct.pack("<2i", 1000, 5)
        + struct.pack("<4d", *bbox)
        + struct.pack("<4d", 0, 0, 0, 0)
    )


def _dbf(fields: list[tuple[str, str, int]], records: list[dict[str, Any]], encoding: str) -> bytes:
    header_length = 32 + 32 * len(fields) + 1
    record_length = 1 + sum(size for _, _, size in fields)
    out = bytearray(struct.pack("<B3BIHH", 3, 126, 1, 1, len(records), header_length, record_length))
    out += bytes(20)
    for name, kind, size in fields:
        out += name.encode("ascii").ljust(11, b"\0") + kind.encode() + bytes(4) + bytes([size, 0]) + bytes(14)
    out += b"\r"
    for record in records:
        out += b" "
        for name, kind, size in fields:
            value = record.get(name, "")
            raw = str(value).encode(encoding)
            out += raw.rjust(size) if kind == "N" else raw.ljust(size)
    out += b"\x1a"
    return bytes(out)


def write_shapefile(
    folder: Path,
    stem: str,
    fields: list[tuple[str, str, int]],
    rows: list[tuple[dict[str, Any], list[list[float]]]],
    *,
    encoding: str = "cp932",
    epsg: int | None = 4612,
    cpg: str | None = None,
    zip_it: bool = False,
) -> Path:
    """Write a polygon Shapefile (one ring per row); return the .shp path or the .zip holding it."""
    folder.mkdir(parents=True, exist_ok=True)
    records, offsets = [], []
    offset = 50
    for number, (_, ring) in enumerate(rows, start=1):
        ring = _clockwise(ring)
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        content = struct.pack("<i4d2i", 5, min(xs), min(ys), max(xs), max(ys), 1, len(ring))
        content += struct.pack("<i", 0) + b"".join(struct.pack("<2d", *p) for p in ring)
        records.append(struct.pack(">2i", number, len(content) // 2) + content)
        offsets.append((offset, len(content) // 2))
        offset += 4 + len(content) // 2
    all_x = [p[0] for _, ring in rows for p in ring]
    all_y = [p[1] for _, ring in rows for p in ring]
    bbox = (min(all_x), min(all_y), max(all_x), max(all_y))
    files = {
        ".shp": _shp_header(offset, bbox) + b"".join(records),
        ".shx": _shp_header(50 + 4 * len(rows), bbox)
        + b"".join(struct.pack(">2i", o, n) for o, n in offsets),
        ".dbf": _dbf(fields, [r for r, _ in rows], encoding),
    }
    if epsg:
        files[".prj"] = CRS.from_epsg(epsg).to_wkt("WKT1_ESRI").encode()
    if cpg:
        files[".cpg"] = cpg.encode()
    if zip_it:
        archive = folder / f"{stem}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for suffix, data in files.items():
                zf.writestr(f"{stem}{suffix}", data)
        return archive
    for suffix, data in files.items():
        (folder / f"{stem}{suffix}").write_bytes(data)
    return folder / f"{stem}.shp"


def read_dbf(data: bytes, encoding: str = "cp932") -> list[dict[str, str]]:
    """Read a .dbf file's records as text, independently of GDAL (to check what an import read)."""
    count = struct.unpack("<I", data[4:8])[0]
    header_length, record_length = struct.unpack("<HH", data[8:12])
    fields = []
    position = 32
    while data[position] != 0x0D:
        name = data[position : position + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[position + 16]))
        position += 32
    records = []
    for index in range(count):
        start = header_length + index * record_length + 1
        record = {}
        for name, size in fields:
            record[name] = data[start : start + size].decode(encoding, errors="replace").strip()
            start += size
        records.append(record)
    return records
