"""The admin front-end of the importers: upload a file, then follow the import as a background run.

The upload is checked against ``KOBAN_UPLOAD_MAX_BYTES`` while the request is read (a larger file gets a
clear error at once), stored in the shared upload folder and imported by a worker as a dry run
(``koban.runs``); the run page shows its progress, lets the planner cancel it, keeps the report (bad
rows with their line or feature numbers) and offers "Import" to commit a clean dry run. Only users for
whom ``can_manage_network`` is true reach these views.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koban.accounts.access import (
    agencies_overseen_by,
    can_manage_network,
    can_manage_network_record,
    network_records_managed_by,
)
from koban.geography.importers.areas import PRESETS
from koban.geography.jobs import start_derive_beats_from_labels, start_import
from koban.geography.models import AdminArea
from koban.organization.models import Agency, PoliceStation
from koban.runs.uploads import upload_rejection

CHANGE_LIST_WITH_IMPORT = "admin/geography/change_list_with_import.html"
ACCEPTED_SUFFIXES = {".csv", ".txt", ".geojson", ".json", ".zip", ".gpkg"}


class _FileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, GeoJSON, a zipped Shapefile (.zip) or a GeoPackage (.gpkg)."),
    )
    encoding = forms.CharField(
        label=gettext_lazy("Text encoding"),
        required=False,
        help_text=gettext_lazy("Leave empty to detect UTF-8 or Shift_JIS."),
    )
    srid = forms.IntegerField(
        label=gettext_lazy("EPSG code"),
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "Overrides the file's coordinate system (files that give none are read as WGS84)."
        ),
    )

    def __init__(
        self, *args: Any, upload_error: str | None = None, agencies: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.upload_error = upload_error
        if agencies is not None and "agency" in self.fields:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if upload_error:
            # The file was refused while the request was read: say why instead of "required".
            self.fields["file"].required = False

    def clean_file(self):  # type: ignore[no-untyped-def]
        if self.upload_error:
            raise forms.ValidationError(self.upload_error)
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv, .geojson, .json, .zip or .gpkg file."))
        return upload

    def options(self) -> dict[str, Any]:
        """The cleaned options as JSON-ready values (kept in the session until the confirmation)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "file"}
        if isinstance(data.get("agency"), Agency):
            data["agency"] = data["agency"].code
        return data


class BoxImportForm(_FileForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), label=gettext_lazy("Agency"))
    mode = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[
            ("table", gettext_lazy("Table (code, name, kind, station_code, lat, lon, …)")),
            ("osm", gettext_lazy("OpenStreetMap police points (kind from the name)")),
        ],
    )
    create_stations = forms.BooleanField(label=gettext_lazy("Create unknown stations"), required=False)
    bbox = forms.CharField(
        label=gettext_lazy("Only inside"),
        required=False,
        help_text=gettext_lazy("min_lon,min_lat,max_lon,max_lat"),
    )

    def clean_bbox(self):  # type: ignore[no-untyped-def]
        text = self.cleaned_data["bbox"].strip()
        if not text:
            return None
        try:
            values = [float(v) for v in text.split(",")]
        except ValueError as exc:
            raise forms.ValidationError(_("Give four numbers: min_lon,min_lat,max_lon,max_lat")) from exc
        if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
            raise forms.ValidationError(_("Give four numbers: min_lon,min_lat,max_lon,max_lat"))
        return values


class AreaImportForm(_FileForm):
    preset = forms.ChoiceField(
        label=gettext_lazy("Data set"),
        required=False,
        choices=[("", gettext_lazy("Other (give the fields below)"))] + [(p, p) for p in PRESETS],
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=AdminArea.Level.choices, required=False)
    code_field = forms.CharField(label=gettext_lazy("Code field"), required=False)
    name_field = forms.CharField(label=gettext_lazy("Name field"), required=False)
    population_field = forms.CharField(label=gettext_lazy("Population field"), required=False)
    households_field = forms.CharField(label=gettext_lazy("Households field"), required=False)
    parent_field = forms.CharField(label=gettext_lazy("Parent code field"), required=False)
    dissolve = forms.BooleanField(label=gettext_lazy("Merge features sharing a code"), required=False)
    layer = forms.CharField(label=gettext_lazy("Layer"), required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if not data.get("preset"):
            for name in ("level", "code_field", "name_field"):
                if not data.get(name):
                    self.add_error(name, _("Required unless a data set is chosen."))
        return data


class BeatImportForm(_FileForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), label=gettext_lazy("Agency"))
    version_name = forms.CharField(label=gettext_lazy("Version name"), required=False)
    code_field = forms.CharField(label=gettext_lazy("Beat code field"), initial="code")
    name_field = forms.CharField(label=gettext_lazy("Beat name field"), initial="name", required=False)
    box_field = forms.CharField(label=gettext_lazy("Box code field"), initial="box_code")
    station_field = forms.CharField(label=gettext_lazy("Station code field"), required=False)
    population_field = forms.CharField(label=gettext_lazy("Population field"), required=False)
    households_field = forms.CharField(label=gettext_lazy("Households field"), required=False)
    layer = forms.CharField(label=gettext_lazy("Layer"), required=False)


class LabelsForm(_FileForm):
    """Derive beats from the box labels (管轄交番・駐在所) of a police open-data file."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), label=gettext_lazy("Agency"))
    name = forms.CharField(label=gettext_lazy("Version name"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["srid"]
        self.fields["file"].help_text = gettext_lazy(
            "The police's crime open data (CSV with 管轄警察署, 管轄交番・駐在所, 市区町村コード, 町丁目)."
        )


@dataclass(frozen=True)
class ImportKind:
    slug: str
    title: Any  # a lazy translation
    form: type[_FileForm]


KINDS = {
    "boxes": ImportKind(
        "boxes",
        gettext_lazy("Import police boxes from a file"),
        BoxImportForm,
    ),
    "areas": ImportKind(
        "areas",
        gettext_lazy("Import administrative areas from a file"),
        AreaImportForm,
    ),
    "beats": ImportKind("beats", gettext_lazy("Import beats from a file"), BeatImportForm),
    "labels": ImportKind("labels", gettext_lazy("Derive beats from the police's labels"), LabelsForm),
}


def import_view(request: HttpRequest, kind_slug: str, site: admin.AdminSite) -> HttpResponse:
    """GET: the upload form. POST: store the file and start a dry run as a job, then show that run."""
    if not can_manage_network(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    kind = KINDS[kind_slug]
    context: dict[str, Any] = {**site.each_context(request), "title": kind.title, "kind": kind.slug}
    agencies = agencies_overseen_by(request.user)  # type: ignore[arg-type]
    status = 200
    if request.method == "POST":
        upload_error = upload_rejection(request)
        form = kind.form(request.POST, request.FILES, upload_error=upload_error, agencies=agencies)
        status = 413 if upload_error else 200
        if form.is_valid():
            run = _start(request, kind.slug, form)
            return redirect("web:run", run_id=run.pk)
    else:
        form = kind.form(agencies=agencies)
    context["form"] = form
    return render(request, "admin/geography/import.html", context, status=status)


def _start(request: HttpRequest, kind_slug: str, form: _FileForm) -> Any:
    """Queue the dry run the form asks for: an import, or beats derived from a file's labels."""
    if kind_slug == "labels":
        data = form.cleaned_data
        return start_derive_beats_from_labels(
            request.user,
            data["agency"],
            data["file"],
            name=data.get("name") or "",
            encoding=data.get("encoding") or "",
        )
    return start_import(request.user, kind_slug, form.cleaned_data["file"], form.options())


class NetworkAdminMixin:
    """Admin access for the police network: network managers only, no deletion (boxes close instead).

    With ``import_kind`` set (and ``change_list_template = CHANGE_LIST_WITH_IMPORT``), the change
    list gets an "Import from file" button leading to the import view of that kind.
    """

    import_kind: str | None = None
    # Whether the change list also offers to derive beats from a police file's labels (beat versions).
    labels_import: bool = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_network(request.user)  # type: ignore[arg-type]

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return can_manage_network(request.user)  # type: ignore[arg-type]
        return can_manage_network_record(request.user, obj)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_network(request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        """Only the records of the agencies the user manages (another agency's id answers 404)."""
        return network_records_managed_by(request.user, super().get_queryset(request))  # type: ignore[arg-type,misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):  # type: ignore[no-untyped-def]
        """Choices of agency and station limited to the agencies the user manages."""
        model = db_field.related_model
        if model in (Agency, PoliceStation):
            kwargs["queryset"] = network_records_managed_by(request.user, model._default_manager.all())  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def import_url_name(self) -> str:
        meta = self.model._meta  # type: ignore[attr-defined]
        return f"{meta.app_label}_{meta.model_name}_import"

    def get_urls(self):  # type: ignore[no-untyped-def]
        from django.urls import path

        urls = super().get_urls()  # type: ignore[misc]
        if not self.import_kind:
            return urls
        site = self.admin_site  # type: ignore[attr-defined]
        kind = self.import_kind

        def view(request: HttpRequest) -> HttpResponse:
            return import_view(request, kind, site)

        extra = []
        if self.labels_import:

            def labels_view(request: HttpRequest) -> HttpResponse:
                return import_view(request, "labels", site)

            extra.append(
                path("from-labels/", site.admin_view(labels_view), name=self.import_url_name() + "_labels")
            )
        return [path("import/", site.admin_view(view), name=self.import_url_name()), *extra, *urls]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        from django.urls import reverse

        extra_context = dict(extra_context or {})
        if self.import_kind:
            site = self.admin_site  # type: ignore[attr-defined]
            extra_context["import_url"] = reverse(f"{site.name}:{self.import_url_name()}")
        if self.labels_import:
            extra_context["labels_url"] = reverse(f"{site.name}:{self.import_url_name()}_labels")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]
