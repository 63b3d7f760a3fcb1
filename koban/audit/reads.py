"""Collecting the personal records a request shows, so that the trail gets one read row per request.

Pages, serializers and exports call ``note_read(objects, fields)`` wherever they show personal data
unmasked (a finder's name, an owner's contact, a person in custody, a patrol card's address, an
incident's description). ``ReadAuditMiddleware`` gathers these notes while the request runs and, if
the response succeeded, writes one audit row per kind of record with the ids and the fields shown
(``koban.audit.services.record_read``): a list of 50 items is one row, not 50. Masked values are not
noted: they show no personal data. Outside a request (jobs, commands) ``note_read`` does nothing;
commands that print personal data call ``record_read`` themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from koban.audit.services import record_read


class ReadNotes:
    """The records shown during one request, by model, in the order first shown."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], tuple[dict[Any, models.Model], set[str]]] = {}

    def add(self, objects: Iterable[models.Model], fields: Iterable[str]) -> None:
        for obj in objects:
            shown, names = self.by_model.setdefault(type(obj), ({}, set()))
            shown.setdefault(obj.pk, obj)
            names.update(fields)

    def write(self, actor: Any, request: HttpRequest | None) -> None:
        for model, (shown, names) in self.by_model.items():
            record_read(actor, list(shown.values()), names, request=request, model=model)


_notes: ContextVar[ReadNotes | None] = ContextVar("koban_read_notes", default=None)


def note_read(objects: Iterable[models.Model], fields: Iterable[str]) -> None:
    """Say that *objects* were shown with their personal *fields* in the current request."""
    notes = _notes.get()
    if notes is not None:
        notes.add(objects, tuple(fields))


class ReadAuditMiddleware:
    """Writes the read rows of a request once its response is ready.

    Views note reads only after the access checks passed and the data is in the page, so refused
    requests have nothing to write; a page re-shown with a form error (400) did show its data and is
    written; a crash (5xx) showed nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        notes = ReadNotes()
        token = _notes.set(notes)
        try:
            response = self.get_response(request)
        finally:
            _notes.reset(token)
        if response.status_code < 500 and notes.by_model:
            notes.write(getattr(request, "user", None), request)
        return response


class NoteReadsSerializer:
    """Serializer mixin: a record sent with personal fields filled in is noted for the read row.

    The personal fields are the model's ``PERSONAL_FIELDS`` that the serializer actually sends
    (write-only fields are not shown) and that hold a value.
    """

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        # GeoJSON features carry the fields under "properties".
        values = data.get("properties", data) if isinstance(data.get("properties"), dict) else data
        shown = [name for name in getattr(instance, "PERSONAL_FIELDS", ()) if values.get(name)]
        if shown:
            note_read([instance], shown)
        return data
