from django.urls import path

from koban.counter import lists, prints, views

app_name = "counter"
urlpatterns = [
    path("", views.index, name="index"),
    path("boxes/<int:box_id>/", views.box_log, name="box"),
    path("boxes/<int:box_id>/print/", prints.day_log_pdf, name="print"),
    path("matters/", lists.matter_list, name="matters"),
    path("matters/export/", lists.matters_export, name="matters_export"),
    path("matters/<int:matter_id>/edit/", views.edit_matter, name="edit"),
]
