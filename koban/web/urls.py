from django.urls import path

from koban.web import views
from koban.web.dashboard import views as dashboard

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.network_map, name="map"),
    path("boxes/<int:box_id>/", views.box_detail, name="box"),
    path("dashboard/", dashboard.dashboard_home, name="dashboard-home"),
    path("boxes/<int:box_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "boxes/<int:box_id>/dashboard/sections/<slug:key>/",
        dashboard.dashboard_section,
        name="dashboard-section",
    ),
    path(
        "boxes/<int:box_id>/dashboard/incidents.geojson",
        dashboard.dashboard_incidents,
        name="dashboard-incidents",
    ),
    path(
        "boxes/<int:box_id>/dashboard/uncovered.geojson",
        dashboard.dashboard_uncovered,
        name="dashboard-uncovered",
    ),
    path("boxes/<int:box_id>/briefing.pdf", dashboard.briefing, name="briefing"),
]
