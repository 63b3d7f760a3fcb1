"""OpenAPI schema post-processing: every operation documents the error answers it can give.

drf-spectacular documents the success answer of each operation; the errors come from shared code
(``koban.lib.api``: 400 for bad parameters or bodies, 404 for unknown or forbidden ids; DRF: 401/403 for
missing or insufficient credentials; throttling: 429), so they are added here for every operation at once.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_gis import GeoFeatureModelSerializerExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'An error: {"detail": "message"}, or for invalid input the fields each with their messages, '
        'e.g. {"box": ["This field is required."]}.'
    ),
    "additionalProperties": True,
}

_ERRORS = {
    "400": "The parameters or the body are invalid (the answer names each field).",
    "401": "No valid credentials were given.",
    "403": "The user may not do this.",
    "404": "No such object, or one the user may not see.",
    "429": "Too many requests; try again later.",
}


# Query parameters that name an object (or a page) the user must be able to see.
_LOOKUP_PARAMETERS = {"page", "box", "station", "beat", "version", "agency", "run"}


def _response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOK: add the shared error answers to every API operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation):
                responses.setdefault(code, _response(_ERRORS[code]))
    return result


def _codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "403", "429"]
    takes_input = method != "get" or any(p.get("in") == "query" for p in operation.get("parameters", []))
    if takes_input or "requestBody" in operation:
        codes.append("400")
    looks_up = any(
        p.get("in") == "query" and p.get("name") in _LOOKUP_PARAMETERS
        for p in operation.get("parameters", [])
    )
    if "{" in path or method != "get" or looks_up:
        # Unknown ids in the path, the body or a filter (a box, an officer) answer 404 like forbidden ones;
        # so does a page number past the last page.
        codes.append("404")
    return codes


class NullableGeometryExtension(GeoFeatureModelSerializerExtension):  # type: ignore[misc]
    """GeoJSON features of ``koban.lib.api.GeoFeatureModelSerializer``: a feature whose model allows no
    geometry (an incident known only by its address) has ``"geometry": null``, as RFC 7946 allows."""

    target_class = "koban.lib.api.GeoFeatureModelSerializer"
    match_subclasses = True
    priority = 1

    def map_geo_feature_model_serializer(
        self, serializer: Any, base_schema: dict[str, Any]
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super().map_geo_feature_model_serializer(serializer, base_schema)
        model_field = serializer.Meta.model._meta.get_field(serializer.Meta.geo_field)
        if model_field.null:
            schema["properties"]["geometry"]["nullable"] = True
        return schema
