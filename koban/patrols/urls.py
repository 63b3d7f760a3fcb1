from django.urls import path

from koban.patrols import lists, prints, snap_views, views

app_name = "patrols"
urlpatterns = [
    path("", views.patrol_list, name="list"),
    path("new/", views.patrol_new, name="new"),
    path("export/", lists.patrols_export, name="export"),
    path("<int:pk>/", views.patrol_detail, name="detail"),
    path("<int:pk>/print/", prints.patrol_card_pdf, name="print"),
    path("<int:pk>/add/<str:what>/", views.patrol_add, name="add"),
    path("coverage/", views.coverage, name="coverage"),
    path("snap/", snap_views.snap_view, name="snap"),
]
