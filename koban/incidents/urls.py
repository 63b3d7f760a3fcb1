"""Incidents and 110 calls: intake, dispatch, status history, response times."""

from django.urls import path

from koban.incidents import exports, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("export/", exports.incidents_export, name="export"),
    path("response-times/", views.response_times, name="response_times"),
    path("counts/", views.incident_counts, name="counts"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path(
        "<int:pk>/<slug:verb>/",
        views.incident_action,
        name="action",
    ),
]
