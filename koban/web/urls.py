from django.urls import path

from koban.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.network_map, name="map"),
    path("boxes/<int:box_id>/", views.box_detail, name="box"),
]
