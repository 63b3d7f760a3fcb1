"""Open311 GeoReport v2 under ``/open311/v2/``: every resource as ``.xml`` or ``.json``."""

from django.urls import URLPattern, URLResolver, re_path

from koban.voice import open311_views as views

app_name = "open311"
FMT = r"\.(?P<fmt>xml|json)$"
urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,100})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[0-9]{1,18})" + FMT, views.one_request, name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,100})" + FMT, views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
