"""Error pages (400, 403, 404, 500): translated, with the site's header; JSON under /api/.

The 500 page is rendered without the request context, so it needs neither the session nor the user
(both read the database, which may be what failed).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/open311/"):
        # Open311 clients read errors in the standard's own format, XML unless JSON was asked for.
        from koban.voice.open311_views import Open311Error, render_error

        return render_error(
            "json" if request.path.endswith(".json") else "xml", Open311Error(status, message)
        )
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    body = loader.render_to_string(
        "web/errors/error.html", {"status": status, "title": title, "message": message}, request
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, gettext("Bad request"), gettext("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, gettext("Not allowed"), gettext("You may not open this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request, 404, gettext("Page not found"), gettext("There is no such page, or you may not see it.")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    message = gettext("Something went wrong on our side. The error has been logged; please try again.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=500)
    context = {
        "status": 500,
        "title": gettext("Server error"),
        "message": message,
        "SITE_NAME": settings.SITE_NAME,
    }
    return HttpResponse(loader.render_to_string("web/errors/error.html", context), status=500)
