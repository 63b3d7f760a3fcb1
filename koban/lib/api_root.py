"""The root of the API (``/api/v1/``): every resource and plain endpoint with its URL.

It reads the URL patterns it is given when it answers, so that an app's new ``api_urls`` appears there
without a list to keep up to date. (Kept apart from ``koban.lib.api``, which DRF's settings import.)
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def listed_endpoints(patterns: list[Any], prefix: str = "") -> dict[str, str]:
    """``{resource: route}`` for the lists of every resource (the routers' ``<basename>-list`` routes) and
    the plain endpoints (``locate``, ``on-duty`` …), as DRF's own API root shows them: keyed by the route
    without its trailing slash. Routes with ids, format suffixes and the extra actions of a list
    (``roster-entries/swap/``) are not resources of their own."""
    found: dict[str, str] = {}
    for entry in patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            found.update(listed_endpoints(entry.url_patterns, route))
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups and route:
            is_viewset_action = hasattr(entry.callback, "actions")
            if not is_viewset_action or entry.name.endswith("-list"):
                found[route.rstrip("/")] = route
    return dict(sorted(found.items()))


class ApiRootView(APIView):
    """The entry point of the API: every resource and plain endpoint, with its absolute URL."""

    patterns: list[Any] = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        """Every list and plain endpoint of ``/api/v1/``, by name, with its URL."""
        base = request.build_absolute_uri(request.path)
        return Response({name: base + route for name, route in listed_endpoints(self.patterns).items()})
