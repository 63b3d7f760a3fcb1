"""Attachments: files served after an access check, uploads to a record, removal."""

from django.urls import path

from koban.attachments import views

app_name = "attachments"
urlpatterns = [
    path("<int:pk>/", views.attachment_file, name="file"),
    path("<int:pk>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<slug:kind>/<int:parent_id>/", views.upload, name="upload"),
    path("links/<slug:kind>/<int:parent_id>/", views.link, name="link"),
    path("links/<slug:kind>/<int:parent_id>/remove/<int:pk>/", views.unlink, name="unlink"),
]
