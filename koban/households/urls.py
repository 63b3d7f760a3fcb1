from django.urls import path

from koban.households import views

app_name = "households"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("add/", views.household_add, name="add"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("merge/", views.merge, name="merge"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("import/", views.import_page, name="import"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/visit/", views.record_visit, name="visit"),
]
