from django.urls import path

from koban.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("unusual-reading/", views.unusual_reading, name="unusual"),
]
