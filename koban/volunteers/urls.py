from django.urls import path

from koban.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.group_list, name="groups"),
    path("<int:pk>/", views.group_detail, name="group"),
    path("activity/new/", views.activity_new, name="activity-new"),
    path("activity/<int:pk>/", views.activity_detail, name="activity"),
    path(
        "activity/<int:pk>/observations/<int:observation_id>/forward/",
        views.forward_observation,
        name="forward",
    ),
    path("statistics/", views.statistics, name="statistics"),
]
