"""Reading features and rows from the files operators bring: GeoJSON, Shapefile, GeoPackage and CSV.

Vector files are read with GeoDjango's GDAL bindings (the system GDAL, through ctypes). Geometries
come out as shapely geometries in WGS84 (EPSG:4326), whatever the CRS of the file; attribute values
come out as text (``None`` when unset), so every importer parses numbers itself and can name the
field when a value is wrong.

Japanese Shapefiles are usually Shift_JIS (cp932) without saying so. GDAL is asked not to recode
Shapefile attributes at all (``ENCODING=`` open option) and the raw bytes are decoded here: an
explicit encoding wins, then a ``.cpg`` file, then detection (the whole ``.dbf`` is strict UTF-8 or
it is taken as cp932).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from ctypes import c_char_p
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.gdal.driver import Driver
from django.contrib.gis.gdal.prototypes import ds as capi
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from koban.lib.geo import WGS84

VECTOR_SUFFIXES = {".geojson", ".json", ".shp", ".zip", ".gpkg"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}

# Names a .cpg file may use for the encodings met in Japan, mapped to Python codecs.
_CPG_ALIASES = {
    "932": "cp932",
    "ansi 932": "cp932",
    "sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "65001": "utf-8",
    "utf8": "utf-8",
}


class ReadError(ValueError):
    """The file as a whole cannot be read (wrong format, no layer, unknown encoding or CRS)."""


@dataclass
class SourceFeature:
    """One feature of a vector file: its 1-based number, its attributes as text, its WGS84 geometry.

    ``geometry`` is ``None`` when the feature has none; ``geometry_error`` says why a geometry
    present in the file could not be turned into WGS84 (the importer reports it against the feature).
    """

    number: int
    properties: dict[str, str | None]
    geometry: BaseGeometry | None
    geometry_error: str = ""


@dataclass
class VectorSource:
    """An opened vector file: the layer's fields, its CRS, and notes for the import report."""

    path: Path
    layer_name: str
    fields: list[str]
    feature_count: int
    source_srid: int | None
    source_crs_name: str
    encoding: str
    ds: DataSource = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    transformer: Transformer | None = field(default=None, repr=False)

    def features(self, only: Iterable[str] | None = None) -> Iterator[SourceFeature]:
        """Yield every feature in file order, numbered from 1.

        *only* limits the attributes read to those names (reading every attribute of a wide
        census table costs more than the geometry).
        """
        layer = self.ds[self._layer_index()]
        wanted = set(only) if only is not None else None
        columns = [(i, name) for i, name in enumerate(self.fields) if wanted is None or name in wanted]
        for number, feature in enumerate(layer, start=1):
            yield SourceFeature(number, self._properties(feature, columns), *self._geometry(feature))

    def _layer_index(self) -> int:
        for index in range(self.ds.layer_count):
            if self.ds[index].name == self.layer_name:
                return index
        return 0

    def _properties(self, feature, columns: list[tuple[int, str]]) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
        values: dict[str, str | None] = {}
        ptr = feature.ptr
        for index, name in columns:
            if not capi.is_field_set(ptr, index):
                values[name] = None
                continue
            values[name] = _decode(capi.get_field_as_string(ptr, index), self.encoding)
        return values

    def _geometry(self, feature) -> tuple[BaseGeometry | None, str]:  # type: ignore[no-untyped-def]
        try:
            if not capi.get_feat_geom_ref(feature.ptr):
                return None, ""
        except GDALException:  # GeoDjango raises on the NULL pointer of a feature without geometry
            return None, ""
        try:
            geom = shapely.from_wkb(bytes(feature.geom.wkb))
        except (GDALException, shapely.errors.GEOSException, ValueError) as exc:
            return None, _("unreadable geometry (%(error)s)") % {"error": exc}
        geom = shapely.force_2d(geom)
        if self.transformer is not None:
            try:
                geom = shapely.transform(geom, self._transform_xy)
            except Exception as exc:  # pyproj raises several types for impossible coordinates
                return None, _("coordinates cannot be converted to WGS84 (%(error)s)") % {"error": exc}
        return geom, ""

    def _transform_xy(self, xy):  # type: ignore[no-untyped-def]
        import numpy as np

        if self.transformer is None:
            return xy
        x, y = self.transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
        return np.column_stack([x, y])


def _decode(raw: bytes | str | None, encoding: str) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    return raw.decode(encoding, errors="replace").strip()


def _open_options(is_shapefile: bool):  # type: ignore[no-untyped-def]
    """Open options for GDALOpenEx: Shapefiles are read without recoding (bytes as stored)."""
    if not is_shapefile:
        return None
    options = (c_char_p * 2)()
    options[0] = b"ENCODING="
    options[1] = None
    return options


def _inner_shapefile(path: Path) -> str:
    """Return the GDAL path of the one Shapefile inside a zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".shp")]
    except zipfile.BadZipFile as exc:
        raise ReadError(_("%(file)s is not a valid zip archive") % {"file": path.name}) from exc
    if not names:
        raise ReadError(_("%(file)s contains no Shapefile (.shp)") % {"file": path.name})
    if len(names) > 1:
        raise ReadError(
            _("%(file)s contains several Shapefiles (%(names)s); unpack the one to import")
            % {"file": path.name, "names": ", ".join(names)}
        )
    return f"/vsizip/{path}/{names[0]}"


def _sidecar_bytes(path: Path, gdal_path: str, suffix: str) -> bytes | None:
    """Return the bytes of a Shapefile's sidecar file (.cpg, .dbf), inside a zip or beside the .shp."""
    if path.suffix.lower() == ".zip":
        inner = gdal_path.split(f"{path}/", 1)[1]
        wanted = inner[: -len(".shp")].lower() + suffix
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.lower() == wanted:
                    return archive.read(name)
        return None
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate.read_bytes()
    return None


def _dbf_records_are_utf8(dbf: bytes) -> bool:
    """Whether the records of a .dbf file decode as strict UTF-8 (ASCII-only data counts as UTF-8)."""
    if len(dbf) < 32:
        return True
    header_length = int.from_bytes(dbf[8:10], "little")
    try:
        dbf[header_length:].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def shapefile_encoding(path: Path, gdal_path: str, override: str | None, notes: list[str]) -> str:
    """Choose the encoding of a Shapefile's attributes: override, then .cpg, then detection."""
    if override:
        return _codec(override)
    cpg = _sidecar_bytes(path, gdal_path, ".cpg")
    if cpg:
        label = cpg.decode("ascii", errors="replace").strip()
        return _codec(_CPG_ALIASES.get(label.lower(), label))
    dbf = _sidecar_bytes(path, gdal_path, ".dbf")
    if dbf is None or _dbf_records_are_utf8(dbf):
        return "utf-8"
    notes.append(_("Attribute text is not UTF-8; it was read as Shift_JIS (cp932)."))
    return "cp932"


def _codec(name: str) -> str:
    """Return the canonical Python codec for an encoding name (or a .cpg code page), or raise ReadError."""
    label = name.strip()
    if label.lower().startswith("ansi "):
        label = label[5:].strip()
    alias = _CPG_ALIASES.get(label.lower(), label)
    if alias.isdigit():
        alias = f"cp{alias}"  # Windows code pages, as ArcGIS writes them in .cpg files
    try:
        return codecs.lookup(alias).name
    except LookupError as exc:
        raise ReadError(_("Unknown text encoding %(name)s") % {"name": name}) from exc


def _crs_of(layer, srid: int | None, notes: list[str]) -> tuple[CRS, str]:  # type: ignore[no-untyped-def]
    if srid:
        try:
            crs = CRS.from_epsg(srid)
        except Exception as exc:
            raise ReadError(_("Unknown spatial reference EPSG:%(srid)s") % {"srid": srid}) from exc
        return crs, f"EPSG:{srid}"
    srs = layer.srs
    if srs is None:
        notes.append(_("The file does not say its coordinate system; WGS84 (EPSG:4326) was assumed."))
        return CRS.from_epsg(WGS84), "EPSG:4326"
    try:
        crs = CRS.from_wkt(srs.wkt)
    except Exception as exc:
        raise ReadError(
            _("The coordinate system of the file is not understood: %(error)s") % {"error": exc}
        ) from exc
    epsg = crs.to_epsg(min_confidence=70)
    return crs, f"EPSG:{epsg}" if epsg else crs.name


def _is_wgs84(crs: CRS) -> bool:
    return crs.equals(CRS.from_epsg(WGS84), ignore_axis_order=True) or crs.to_epsg() in {WGS84}


def open_vector(
    path: str | Path, *, layer: str | None = None, encoding: str | None = None, srid: int | None = None
) -> VectorSource:
    """Open a GeoJSON, Shapefile (.shp or a .zip holding one) or GeoPackage for reading.

    *encoding* overrides the detected encoding of Shapefile attributes; *srid* overrides (or
    supplies) the CRS of the file. Raises ReadError when the file cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise ReadError(_("File not found: %(file)s") % {"file": path})
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES:
        raise ReadError(
            _(
                "Unsupported file type %(suffix)s (expected GeoJSON, Shapefile, zipped Shapefile or GeoPackage)"
            )
            % {"suffix": suffix or "?"}
        )
    notes: list[str] = []
    is_shapefile = suffix in {".shp", ".zip"}
    gdal_path = _inner_shapefile(path) if suffix == ".zip" else str(path)
    text_encoding = shapefile_encoding(path, gdal_path, encoding, notes) if is_shapefile else "utf-8"
    ds = _open_datasource(gdal_path, is_shapefile)
    if ds.layer_count == 0:
        raise ReadError(_("%(file)s has no layer") % {"file": path.name})
    index = _choose_layer(ds, layer, notes, path)
    gdal_layer = ds[index]
    crs, crs_name = _crs_of(gdal_layer, srid, notes)
    transformer = None if _is_wgs84(crs) else Transformer.from_crs(crs, WGS84, always_xy=True)
    fields = _field_names(gdal_layer, text_encoding)
    return VectorSource(
        path=path,
        layer_name=gdal_layer.name,
        fields=fields,
        feature_count=len(gdal_layer),
        source_srid=crs.to_epsg(min_confidence=70),
        source_crs_name=crs_name,
        encoding=text_encoding,
        warnings=notes,
        ds=ds,
        transformer=transformer,
    )


def _open_datasource(gdal_path: str, is_shapefile: bool) -> DataSource:
    Driver.ensure_registered()
    try:
        ptr = capi.open_ds(
            gdal_path.encode(),
            capi.GDAL_OF_READONLY | capi.GDAL_OF_VECTOR,
            None,
            _open_options(is_shapefile),
            None,
        )
    except GDALException as exc:
        raise ReadError(_("GDAL cannot read %(file)s") % {"file": Path(gdal_path).name}) from exc
    if not ptr:
        raise ReadError(_("GDAL cannot read %(file)s") % {"file": Path(gdal_path).name})
    return DataSource(ptr, ds_driver=capi.get_dataset_driver(ptr))


def _choose_layer(ds: DataSource, layer: str | None, notes: list[str], path: Path) -> int:
    names = [ds[i].name for i in range(ds.layer_count)]
    if layer:
        if layer not in names:
            raise ReadError(
                _("%(file)s has no layer %(layer)s (layers: %(names)s)")
                % {"file": path.name, "layer": layer, "names": ", ".join(names)}
            )
        return names.index(layer)
    if len(names) > 1:
        notes.append(
            _("The file has several layers (%(names)s); the first one was read.")
            % {"names": ", ".join(names)}
        )
    return 0


def _field_names(layer, encoding: str) -> list[str]:  # type: ignore[no-untyped-def]
    names = []
    for index in range(layer.num_fields):
        raw = capi.get_field_name(capi.get_field_defn(layer._ldefn, index))
        names.append(_decode(raw, encoding) or f"field{index + 1}")
    return names


# -- CSV ---------------------------------------------------------------------------------------------


@dataclass
class CsvRow:
    """One data row of a CSV file with its physical line number (the header is line 1)."""

    line: int
    values: dict[str, str | None]


@dataclass
class CsvSource:
    path: Path
    fields: list[str]
    rows: list[CsvRow]
    encoding: str
    warnings: list[str] = field(default_factory=list)


def detect_text_encoding(data: bytes, override: str | None = None) -> str:
    """UTF-8 (with or without BOM) when the bytes decode strictly as UTF-8, otherwise cp932."""
    if override:
        return _codec(override)
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


def read_csv(path: str | Path, *, encoding: str | None = None) -> CsvSource:
    """Read a CSV file (comma or tab separated, UTF-8 or Shift_JIS) into numbered rows."""
    path = Path(path)
    if not path.exists():
        raise ReadError(_("File not found: %(file)s") % {"file": path})
    data = path.read_bytes()
    text_encoding = detect_text_encoding(data, encoding)
    try:
        text = data.decode(text_encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(
            _("The file is not valid %(encoding)s text (byte %(pos)s)")
            % {"encoding": text_encoding, "pos": exc.start}
        ) from exc
    notes = []
    if text_encoding == "cp932":
        notes.append(_("The file is not UTF-8; it was read as Shift_JIS (cp932)."))
    first_line = text.split("\n", 1)[0]
    dialect = "excel-tab" if first_line.count("\t") > first_line.count(",") else "excel"
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ReadError(_("The file is empty")) from exc
    fields = [name.strip() for name in header]
    rows = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, str | None] = {}
        for index, name in enumerate(fields):
            cell = cells[index].strip() if index < len(cells) else ""
            values[name] = cell or None
        rows.append(CsvRow(line, values))
    return CsvSource(path=path, fields=fields, rows=rows, encoding=text_encoding, warnings=notes)
