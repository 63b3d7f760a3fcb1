from django.urls import path

from koban.counter import prints, views

app_name = "counter"
urlpatterns = [
    path("", views.index, name="index"),
    path("boxes/<int:box_id>/", views.box_log, name="box"),
    path("boxes/<int:box_id>/print/", prints.day_log_pdf, name="print"),
    path("matters/<int:matter_id>/edit/", views.edit_matter, name="edit"),
]
