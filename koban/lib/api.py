"""API plumbing shared by every app: checked serializers and parsers, query parameters, errors, pages, routes.

Every input reaches the database only after the checks of ``koban.lib.validation``: serializers built on
``Serializer``/``ModelSerializer``/``GeoFeatureModelSerializer`` from here bound their integers, date-times and
texts by default; the parsers of ``koban.lib.parsers`` refuse control characters anywhere in a request body; ``query_int`` and
``query_datetime`` do the same for query parameters. Errors of every kind answer in DRF's format
(``{"field": ["message"]}`` or ``{"detail": "message"}``) in the request's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_gis.serializers import GeoFeatureModelSerializer as _GeoFeatureModelSerializer

from koban.lib import schema as _schema  # noqa: F401 (registers the OpenAPI extension for GeoJSON features)
from koban.lib.validation import (
    BIGINT_RANGE,
    INT_RANGE,
    TEXT_MAX_LENGTH,
    check_date,
    check_datetime,
    control_character_problem,
    date_problem,
    datetime_problem,
    refuse_control_characters,
)

# -- Errors ------------------------------------------------------------------------------------------------


def django_error_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's error body, keeping the field names."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, also for the ValidationError that services raise (Http404 and PermissionDenied
    are already mapped by DRF). Messages are translated to the request's language by LocaleMiddleware."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(django_error_detail(exc))
    return drf_exception_handler(exc, context)


# -- Serializers ---------------------------------------------------------------------------------------------


def check_field(field: serializers.Field) -> None:  # type: ignore[type-arg]
    """Add the storage limits to a writable field that does not declare its own."""
    if getattr(field, "read_only", False):
        return
    child = getattr(field, "child", None)
    if isinstance(field, serializers.ListField | serializers.DictField) and child is not None:
        check_field(child)
    if isinstance(field, serializers.CharField):
        field.validators.append(refuse_control_characters)
    elif isinstance(field, serializers.IntegerField):
        _bound_integer(field)
    elif isinstance(field, serializers.DateTimeField):
        field.validators.append(check_datetime)
    elif isinstance(field, serializers.DateField):
        field.validators.append(check_date)


def _bound_integer(field: serializers.IntegerField) -> None:
    # Ids and counts are bigint columns; a field for a narrower column declares its own bounds (or comes
    # from a model field, whose validators already carry the column's range).
    low, high = BIGINT_RANGE
    if field.max_value is None:
        field.max_value = high
        message = field.error_messages["max_value"].format(max_value=high)
        field.validators.append(MaxValueValidator(high, message=message))
    if field.min_value is None:
        field.min_value = low
        message = field.error_messages["min_value"].format(min_value=low)
        field.validators.append(MinValueValidator(low, message=message))


class CheckedFieldsMixin:
    """Serializer mixin: every writable field gets the limits of ``koban.lib.validation``; a text field
    declared by hand on a model serializer also gets the length of the model column it writes."""

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()  # type: ignore[misc]
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            check_field(field)
            if model is not None:
                _bound_length(field, field.source or name, model)
            if isinstance(field, serializers.CharField) and not field.read_only and field.max_length is None:
                _cap_length(field, TEXT_MAX_LENGTH)
        return fields


def _bound_length(field: serializers.Field, source: str, model: Any) -> None:  # type: ignore[type-arg]
    if not isinstance(field, serializers.CharField) or field.read_only or field.max_length is not None:
        return
    try:
        column = model._meta.get_field(source)
    except (FieldDoesNotExist, TypeError):
        return
    limit = getattr(column, "max_length", None)
    if limit:
        _cap_length(field, limit)


def _cap_length(field: serializers.CharField, limit: int) -> None:
    field.max_length = limit
    message = field.error_messages["max_length"].format(max_length=limit)
    field.validators.append(MaxLengthValidator(limit, message=message))


class Serializer(CheckedFieldsMixin, serializers.Serializer):  # type: ignore[type-arg]
    """The base of every input serializer of the API."""


class ModelSerializer(CheckedFieldsMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    """The base of every model serializer of the API."""


class GeoFeatureModelSerializer(CheckedFieldsMixin, _GeoFeatureModelSerializer):
    """The base of every GeoJSON feature serializer of the API."""


# -- Query parameters ----------------------------------------------------------------------------------------


def query_text(params: Any, name: str) -> str:
    """A text parameter ("" when absent), refused with a 400 when it holds control characters."""
    raw = params.get(name) or ""
    problem = control_character_problem(raw, multiline=False)
    if problem:
        raise ValidationError({name: [problem]})
    return str(raw)


def query_int(
    params: Any, name: str, required: bool = False, low: int = 1, high: int = BIGINT_RANGE[1]
) -> int | None:
    """A whole-number parameter between ``low`` and ``high`` (ids by default), or None when absent."""
    raw = query_text(params, name)
    if raw == "":
        if required:
            raise ValidationError({name: [gettext("This parameter is required.")]})
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationError({name: [gettext("%(value)r is not a whole number.") % {"value": raw}]}) from exc
    if not low <= value <= high:
        raise ValidationError(
            {name: [gettext("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}]}
        )
    return value


def query_bool(params: Any, name: str) -> bool:
    """A yes/no parameter: ``true``/``1`` or ``false``/``0`` (absent: no); anything else is a 400."""
    raw = query_text(params, name).strip().lower()
    if raw in ("", "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise ValidationError({name: [gettext("Give true or false.")]})


def query_id(params: Any, name: str) -> int:
    """A required id parameter."""
    value = query_int(params, name, required=True)
    return value if value is not None else 0  # query_int raised already when it was absent


def query_datetime(params: Any, name: str) -> dt.datetime | None:
    """An ISO 8601 date and time with its offset, or None when absent."""
    raw = query_text(params, name)
    if raw == "":
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [gettext("Not a date and time (ISO 8601).")]})
    if value.tzinfo is None:
        raise ValidationError(
            {name: [gettext("Give the time with its offset, e.g. 2026-04-01T09:00+09:00.")]}
        )
    problem = datetime_problem(value)
    if problem:
        raise ValidationError({name: [problem]})
    return value


def query_date(params: Any, name: str) -> dt.date | None:
    """A date (YYYY-MM-DD), or None when absent."""
    raw = query_text(params, name)
    if raw == "":
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [gettext("%(value)r is not a date (YYYY-MM-DD).") % {"value": raw}]})
    problem = date_problem(value)
    if problem:
        raise ValidationError({name: [problem]})
    return value


# -- Pages ---------------------------------------------------------------------------------------------------


class Pages(LimitOffsetPagination):
    """``limit``/``offset`` pages; out-of-range values answer 400 instead of reaching the database."""

    max_limit = 1000
    max_offset = INT_RANGE[1]

    def get_limit(self, request: Any) -> int | None:
        value = query_int(request.query_params, self.limit_query_param, high=self.max_limit)
        return self.default_limit if value is None else value

    def get_offset(self, request: Any) -> int:
        value = query_int(request.query_params, self.offset_query_param, low=0, high=self.max_offset)
        return value or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"].update(minimum=1, maximum=self.max_limit)
        offset["schema"].update(minimum=0, maximum=self.max_offset)
        return [limit, offset]


class GeoJsonPages(PageNumberPagination):
    """Pages of a GeoJSON FeatureCollection: ``{"type": "FeatureCollection", "count", "next", "previous",
    "features"}`` (``page`` and ``page_size`` parameters)."""

    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 10000
    max_page = INT_RANGE[1]

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        value = query_int(request.query_params, self.page_query_param, high=self.max_page)
        return value or 1

    def get_page_size(self, request: Any) -> int:
        value = query_int(request.query_params, self.page_size_query_param, high=self.max_page_size)
        return value or self.page_size

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.page.paginator.count,  # type: ignore[union-attr]
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data["features"],
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # ``schema`` is the serializer's FeatureCollection (type + features); pages add the counts and links.
        pages = super().get_paginated_response_schema(schema)["properties"]
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "required": ["type", "count", "next", "previous", "features"],
                    "properties": {key: pages[key] for key in ("count", "next", "previous")},
                },
            ]
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        page, size = super().get_schema_operation_parameters(view)
        page["schema"].update(minimum=1, maximum=self.max_page)
        size["schema"].update(minimum=1, maximum=self.max_page_size)
        return [page, size]


# -- Routes --------------------------------------------------------------------------------------------------


class Router(SimpleRouter):
    """Routes whose ids are digits: any other id answers 404 before a view runs."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        # At most 18 digits: every such number fits a bigint id.
        value = getattr(viewset, "lookup_value_regex", "[0-9]{1,18}")
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{value})"
