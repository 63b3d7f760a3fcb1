from django.urls import path

from koban.visitcards import disaster_views, views

app_name = "visitcards"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_card, name="new"),
    path("<int:card_id>/", views.card, name="card"),
    path("<int:card_id>/edit/", views.edit_card, name="edit"),
    path("<int:card_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:card_id>/reason/", views.reason, name="reason"),
    path("<int:card_id>/trail/", views.trail, name="trail"),
    path("<int:card_id>/delete/", views.delete, name="delete"),
    path("retention/", views.retention, name="retention"),
    path("custodians/", views.custodians, name="custodians"),
    path("households/<int:household_id>/export.<str:fmt>", views.export, name="export"),
    path("disaster/", disaster_views.checks, name="disasters"),
    path("disaster/<int:check_id>/", disaster_views.check, name="disaster"),
]
