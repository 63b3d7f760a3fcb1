from django.urls import path

from koban.web import runs, views
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
    path("runs/", runs.run_list, name="runs"),
    path("runs/<int:run_id>/", runs.run_detail, name="run"),
    path("runs/<int:run_id>/cancel/", runs.run_cancel, name="run-cancel"),
    path("runs/<int:run_id>/commit/", runs.run_commit, name="run-commit"),
]
