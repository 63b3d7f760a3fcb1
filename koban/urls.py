from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from koban.accounts.login import KobanLoginView, login_code
from koban.lib.api_root import ApiRootView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("koban.organization.api_urls")),
    path("", include("koban.geography.api_urls")),
    path("", include("koban.rosters.api_urls")),
    path("", include("koban.counter.api_urls")),
    path("", include("koban.incidents.api_urls")),
    path("", include("koban.lostfound.api_urls")),
    path("", include("koban.patrols.api_urls")),
    path("", include("koban.voice.api_urls")),
    path("", include("koban.households.api_urls")),
    path("", include("koban.visitcards.api_urls")),
    path("", include("koban.councils.api_urls")),
    path("", include("koban.newsletters.api_urls")),
    path("", include("koban.partners.api_urls")),
    path("", include("koban.volunteers.api_urls")),
    path("", include("koban.alerts.api_urls")),
    path("", include("koban.runs.api_urls")),
    path("", include("koban.attachments.api_urls")),
]
# The root lists every resource of the includes above (it reads this list when it answers).
api_v1.insert(0, path("", ApiRootView.as_view(patterns=api_v1), name="api-root"))

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # One way in: the admin's own login would skip the two-factor step.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("login/", KobanLoginView.as_view(), name="login"),
    path("login/code/", login_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("koban.accounts.urls")),
    path("rosters/", include("koban.rosters.urls")),
    path("counter/", include("koban.counter.urls")),
    path("incidents/", include("koban.incidents.urls")),
    path("attachments/", include("koban.attachments.urls")),
    path("lost-found/", include("koban.lostfound.urls")),
    path("patrols/", include("koban.patrols.urls")),
    path("voice/", include("koban.voice.urls")),
    # Open311 GeoReport v2 for existing Open311 clients (the standard's own URLs and formats).
    path("open311/v2/", include("koban.voice.open311_urls")),
    path("households/", include("koban.households.urls")),
    path("visit-cards/", include("koban.visitcards.urls")),
    path("councils/", include("koban.councils.urls")),
    path("newsletters/", include("koban.newsletters.urls")),
    path("partners/", include("koban.partners.urls")),
    path("volunteers/", include("koban.volunteers.urls")),
    path("alerts/", include("koban.alerts.urls")),
    path("audit/", include("koban.audit.urls")),
    path("", include("koban.web.urls")),
]

# Translated error pages with the site's header (JSON under /api/); the 500 page needs no database.
handler400 = "koban.web.errors.bad_request"
handler403 = "koban.web.errors.permission_denied"
handler404 = "koban.web.errors.page_not_found"
handler500 = "koban.web.errors.server_error"
