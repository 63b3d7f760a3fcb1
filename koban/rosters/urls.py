from django.urls import path

from koban.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("boxes/<int:box_id>/<int:year>/<int:month>/", views.month_view, name="month"),
    path("boxes/<int:box_id>/generate/", views.generate_view, name="generate"),
    path("boxes/<int:box_id>/leave/", views.leave_view, name="leave"),
    path("boxes/<int:box_id>/plan/", views.plan_view, name="plan"),
    path("entries/<int:entry_id>/swap/", views.swap_view, name="swap"),
    path("empty/", views.empty_report, name="empty"),
]
