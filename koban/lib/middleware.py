"""Middleware that refuses query strings the database could not compare with (NUL and other controls)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

from koban.lib.validation import control_character_problem


class RefuseControlCharactersInQuery:
    """Answer 400 when a query parameter (name or value) holds a control character.

    Every filter of every page and API reads the query string; checking it once here keeps a NUL byte
    from reaching a PostgreSQL comparison (which fails with a server error) wherever a filter is added.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            problem = control_character_problem(name, multiline=False) or control_character_problem(
                values, multiline=False
            )
            if problem:
                if request.path.startswith("/api/"):
                    return JsonResponse({name: [problem]}, status=400)
                raise BadRequest(problem)
        return self.get_response(request)
