"""Importers for boxes, beats and administrative areas: one core shared by the CLI and the admin.

``import_boxes``, ``import_areas`` and ``import_beats`` validate a whole file, then write it in one
transaction only when ``commit=True`` and nothing is wrong; each returns an ``ImportReport``.
"""

from koban.geography.importers.areas import AreaImportOptions, import_areas, preset_options
from koban.geography.importers.beats import BeatImportOptions, import_beats
from koban.geography.importers.boxes import BoxImportOptions, import_boxes
from koban.geography.importers.core import ImportIssue, ImportReport

__all__ = [
    "AreaImportOptions",
    "BeatImportOptions",
    "BoxImportOptions",
    "ImportIssue",
    "ImportReport",
    "import_areas",
    "import_beats",
    "import_boxes",
    "preset_options",
]
