from django.urls import path

from koban.rosters import duty_views, handover_views, monthly, prints, views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("boxes/<int:box_id>/<int:year>/<int:month>/", views.month_view, name="month"),
    path("boxes/<int:box_id>/print/", prints.box_month_pdf, name="print-box"),
    path("stations/<int:station_id>/print/", prints.station_month_pdf, name="print-station"),
    path("boxes/<int:box_id>/generate/", views.generate_view, name="generate"),
    path("boxes/<int:box_id>/leave/", views.leave_view, name="leave"),
    path("boxes/<int:box_id>/plan/", views.plan_view, name="plan"),
    path("boxes/<int:box_id>/sign-on/", duty_views.sign_on_view, name="sign-on"),
    path("boxes/<int:box_id>/out/", duty_views.go_out_view, name="go-out"),
    path("boxes/<int:box_id>/cover/", duty_views.cover_view, name="cover"),
    path("duty/<int:duty_id>/sign-off/", duty_views.sign_off_view, name="sign-off"),
    path("outings/<int:outing_id>/back/", duty_views.back_view, name="back"),
    path("leave-requests/", duty_views.leave_requests_view, name="leave-requests"),
    path("leave-requests/<int:request_id>/decide/", duty_views.leave_decide_view, name="leave-decide"),
    path("leave-requests/<int:request_id>/withdraw/", duty_views.leave_withdraw_view, name="leave-withdraw"),
    path("boxes/<int:box_id>/handover/", handover_views.handover_log, name="handover"),
    path("handover/<int:entry_id>/acknowledge/", handover_views.acknowledge, name="handover-acknowledge"),
    path("entries/<int:entry_id>/swap/", views.swap_view, name="swap"),
    path("empty/", views.empty_report, name="empty"),
    path("empty/month/", monthly.monthly_report, name="empty-month"),
]
