"""The Open311 GeoReport v2 endpoint (``/open311/v2/``), in XML and JSON, for existing Open311 clients.

Plain Django views, not DRF: the standard fixes its own URLs (``services.xml``), parameters, list shapes
and error body (``[{"code": 403, "description": …}]`` or ``<errors>``), which DRF's conventions would
fight. Reading is public (what it shows is the public view); filing a request needs an API key, which is
the secret of one of our API tokens with write scope. Every failure answers in the standard's error
format with the reason, never a server error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from knox.crypto import hash_token

from koban.accounts.access import token_permits
from koban.accounts.models import ApiToken
from koban.lib.geo import lonlat_problem
from koban.lib.validation import control_character_problem, datetime_problem
from koban.organization.models import Agency
from koban.voice import georeport
from koban.voice.limits import hit
from koban.voice.models import Request, RequestCategory, Source
from koban.voice.services import Reporter, submit_request

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# A GeoReport post is a few form fields; anything larger is refused before it is parsed.
MAX_POST_BYTES = 64 * 1024
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_ROWS = 1000
MAX_IDS = 1000
# Our field names in the standard's words, for error descriptions.
OPEN311_NAMES = {
    "point": "lat, long",
    "address": "address_string",
    "reporter_name": "first_name, last_name",
    "reporter_email": "email",
    "reporter_phone": "phone",
}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,80})\](\[\])?$")


class Open311Error(Exception):
    """An answer in the standard's error format: one or more (code, description) pairs."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions)
        self.status = status
        self.descriptions = descriptions


# -- Rendering --------------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(element, georeport.XML_ITEMS[name], inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """*data* as JSON, or as XML whose root is *root* (lists repeat ``XML_ITEMS[root]``)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        top = ET.Element(root)
        if isinstance(data, list):
            for item in data:
                _xml_value(top, georeport.XML_ITEMS[root], item)
        else:
            for key, value in data.items():
                _xml_value(top, key, value)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def render_error(fmt: str, failure: Open311Error) -> HttpResponse:
    errors = [georeport.error(failure.status, text) for text in failure.descriptions]
    return render(fmt, "errors", errors, status=failure.status)


def answers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view so that its ``Open311Error`` is rendered in the requested format."""

    def wrapped(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as failure:
            return render_error(fmt, failure)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# -- Parameters -------------------------------------------------------------------------------------


def _text(params: QueryDict, name: str, limit: int = 4000) -> str:
    value = params.get(name) or ""
    problem = control_character_problem(value)
    if problem or len(value) > limit:
        raise Open311Error(400, f"{name}: {problem or _('At most %(limit)d characters.') % {'limit': limit}}")
    return value.strip()


def _agency(params: QueryDict) -> Agency | None:
    """The agency named by ``jurisdiction_id`` (its code), None when not given."""
    code = _text(params, "jurisdiction_id", 40)
    if not code:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Open311Error(404, _("jurisdiction_id: unknown jurisdiction %(code)s.") % {"code": code})
    return agency


def _moment(params: QueryDict, name: str) -> dt.datetime | None:
    raw = _text(params, name, 40)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400, _("%(name)s: give a W3C date and time, e.g. 2026-06-01T00:00:00+09:00.") % {"name": name}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    problem = datetime_problem(moment)
    if problem:
        raise Open311Error(400, f"{name}: {problem}")
    return moment


def _list(params: QueryDict, name: str) -> list[str]:
    return [part.strip() for part in _text(params, name, 20_000).split(",") if part.strip()]


# -- Discovery and services ------------------------------------------------------------------------


@answers
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """The discovery document: where the endpoint is and which formats it speaks."""
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    data = {
        "changeset": "2026-06-01T00:00:00+09:00",
        "contact": _("Contact your police box, or the police HQ, about this service."),
        "key_service": request.build_absolute_uri(reverse("accounts:token-create")),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-06-01T00:00:00+09:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@answers
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET services``: the request categories in use."""
    _agency(request.GET)
    return render(fmt, "services", [georeport.service(c) for c in RequestCategory.objects.active()])


@answers
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """``GET services/{service_code}``: the category's questions."""
    _agency(request.GET)
    readable = not control_character_problem(code, multiline=False)
    category = RequestCategory.objects.active().filter(code=code[:40]).first() if readable else None
    if category is None:
        raise Open311Error(
            404, _("service_code: no service %(code)s.") % {"code": code[:40] if readable else "?"}
        )
    return render(fmt, "service_definition", georeport.service_definition(category))


# -- Reading requests --------------------------------------------------------------------------------


def _public() -> Any:
    return Request.objects.public().with_related().prefetch_related("actions")


def _ids(params: QueryDict) -> list[int]:
    given = _list(params, "service_request_id")
    if len(given) > MAX_IDS or not all(part.isdigit() and len(part) < 12 for part in given):
        raise Open311Error(400, _("service_request_id: give request numbers separated by commas."))
    return [int(part) for part in given]


def _window(params: QueryDict) -> tuple[dt.datetime, dt.datetime]:
    """The requested_datetime range: at most 90 days; the last 90 days when neither end is given."""
    given_start, given_end = _moment(params, "start_date"), _moment(params, "end_date")
    if given_start is not None:
        start = given_start
        end = given_end or start + DEFAULT_WINDOW
    else:
        end = given_end or timezone.now()
        start = end - DEFAULT_WINDOW
    if end < start:
        raise Open311Error(400, _("end_date: must not be before start_date."))
    if end - start > DEFAULT_WINDOW:
        raise Open311Error(400, _("start_date, end_date: the range may not span more than 90 days."))
    return start, end


def _search(params: QueryDict) -> Any:
    agency = _agency(params)
    found = _public()
    if agency is not None:
        found = found.filter(agency=agency)
    ids = _ids(params)
    if ids:
        # The standard: a list of ids overrides every other filter.
        return found.filter(pk__in=ids).order_by("-requested_at", "-id")[:MAX_ROWS]
    codes = _list(params, "service_code")
    if codes:
        found = found.filter(category__code__in=[c[:40] for c in codes])
    states = _list(params, "status")
    if any(s not in georeport.STATES_OF for s in states):
        raise Open311Error(400, _("status: give open, closed or both, separated by commas."))
    if states:
        found = found.filter(status__in=[s for state in states for s in georeport.STATES_OF[state]])
    start, end = _window(params)
    return found.requested_between(start, end).order_by("-requested_at", "-id")[:MAX_ROWS]


@csrf_exempt
@answers
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET requests`` (public, filtered) and ``POST requests`` (an API key files a new request)."""
    if request.method == "POST":
        return _create(request, fmt)
    if request.method not in ("GET", "HEAD"):
        raise Open311Error(405, _("Use GET to read requests and POST to file one."))
    return render(fmt, "service_requests", georeport.service_requests(_search(request.GET)))


@answers
def one_request(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """``GET requests/{service_request_id}``."""
    _agency(request.GET)
    found = _public().filter(pk=int(request_id)).first() if len(request_id) < 12 else None
    if found is None:
        raise Open311Error(404, _("service_request_id: no request %(id)s.") % {"id": request_id[:12]})
    return render(fmt, "service_requests", [georeport.service_request(found)])


@answers
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """``GET tokens/{token}``: the request number behind the token a post answered with."""
    try:
        wanted = uuid.UUID(token[:64])
    except ValueError:
        wanted = None
    found = Request.objects.public().filter(token=wanted).first() if wanted else None
    if found is None:
        raise Open311Error(404, _("token: no request with this token."))
    return render(fmt, "service_requests", [{"service_request_id": str(found.pk), "token": str(found.token)}])


# -- Filing a request ---------------------------------------------------------------------------------


def _form(request: HttpRequest) -> QueryDict:
    """The posted form, refused before parsing when it is too large or malformed."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_POST_BYTES:
        raise Open311Error(
            413, _("The request is too large (at most %(kb)d KiB).") % {"kb": MAX_POST_BYTES // 1024}
        )
    try:
        return request.POST
    except RequestDataTooBig:
        raise Open311Error(
            413, _("The request is too large (at most %(kb)d KiB).") % {"kb": MAX_POST_BYTES // 1024}
        ) from None
    except (SuspiciousOperation, ValueError):
        raise Open311Error(400, _("The request body is not a valid form.")) from None


def _key_owner(request: HttpRequest, form: QueryDict) -> ApiToken:
    """The API token whose secret is the ``api_key`` (in the form, or the query as some clients send it)."""
    secret = form.get("api_key") or request.GET.get("api_key") or ""
    refused = Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    if not secret or len(secret) > 200 or control_character_problem(secret):
        raise refused
    found = ApiToken.objects.select_related("user").filter(digest=hash_token(secret)).first()
    if found is None or not found.user.is_active or not found.is_usable_at(timezone.now()):
        raise refused
    if not token_permits(found.scope, "POST"):
        raise refused
    return found


def _attributes(form: QueryDict) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for name in form:
        match = _ATTRIBUTE.match(name)
        if match:
            values = form.getlist(name)
            given[match.group(1)] = values if match.group(2) else (values[0] if values else "")
    return given


def _point(form: QueryDict) -> Point:
    lat, lon = form.get("lat", ""), form.get("long", "")
    if not lat and not lon:
        if form.get("address_string") or form.get("address_id"):
            raise Open311Error(400, _("lat, long: this server needs the place as lat and long."))
        raise Open311Error(400, _("lat, long: give the place of the request."))
    problem = lonlat_problem(lon, lat)
    if problem is not None:
        raise Open311Error(400, ("long: " if problem[0] == "lon" else "lat: ") + problem[1])
    return Point(float(lon), float(lat), srid=4326)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    form = _form(request)
    key = _key_owner(request, form)
    if not hit("open311-key", str(key.pk), settings.KOBAN_OPEN311_RATE_PER_KEY):
        raise Open311Error(429, _("Too many requests with this api_key; try again later."))
    _agency(form)
    code = _text(form, "service_code", 40)
    category = RequestCategory.objects.active().filter(code=code).first() if code else None
    if category is None:
        raise Open311Error(400, _("service_code: give the code of one of the services."))
    name = " ".join(part for part in (_text(form, "first_name", 100), _text(form, "last_name", 100)) if part)
    reporter = Reporter(name=name, email=_text(form, "email", 254), phone=_text(form, "phone", 40))
    try:
        created = submit_request(
            source=Source.OPEN311,
            point=_point(form),
            category=category,
            description=_text(form, "description"),
            actor=key.user,
            reporter=reporter,
            address=_text(form, "address_string", 300),
            attributes=_attributes(form),
            media_url=_text(form, "media_url", 500),
        )
    except ValidationError as exc:
        problems = [
            f"{OPEN311_NAMES.get(field, field)}: {m}" for field, ms in exc.message_dict.items() for m in ms
        ]
        raise Open311Error(400, *problems) from None
    return render(fmt, "service_requests", [georeport.created(created)])


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under the endpoint: a 404 in the standard's format (XML unless .json was asked)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return render_error(fmt, Open311Error(404, _("No such Open311 resource.")))
