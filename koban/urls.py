from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_v1 = [
    path("", include("koban.organization.api_urls")),
    path("", include("koban.geography.api_urls")),
    path("", include("koban.rosters.api_urls")),
    path("", include("koban.counter.api_urls")),
    path("", include("koban.incidents.api_urls")),
    path("", include("koban.lostfound.api_urls")),
    path("", include("koban.patrols.api_urls")),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("koban.accounts.urls")),
    path("rosters/", include("koban.rosters.urls")),
    path("counter/", include("koban.counter.urls")),
    path("incidents/", include("koban.incidents.urls")),
    path("lost-found/", include("koban.lostfound.urls")),
    path("patrols/", include("koban.patrols.urls")),
    path("audit/", include("koban.audit.urls")),
    path("", include("koban.web.urls")),
]
