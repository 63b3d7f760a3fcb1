from django.urls import path

from koban.lostfound import exports, notices, prints, views

app_name = "lostfound"
urlpatterns = [
    path("", views.item_list, name="items"),
    path("export/", exports.items_export, name="items_export"),
    path("items/new/", views.receive, name="receive"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("items/<int:pk>/handover/", views.hand_over, name="handover"),
    path("items/<int:pk>/dispose/", views.dispose, name="dispose"),
    path("items/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("items/<int:pk>/storage/", views.move_storage, name="storage"),
    path("items/<int:pk>/personal-data/", views.personal_data, name="personal_data"),
    path("items/<int:pk>/sell/", views.sell, name="sell"),
    path("ledger/items.pdf", prints.items_ledger_pdf, name="ledger-items"),
    path("ledger/reports.pdf", prints.reports_ledger_pdf, name="ledger-reports"),
    path("reports/", views.report_list, name="reports"),
    path("reports/export/", exports.reports_export, name="reports_export"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/close/", views.report_close, name="report_close"),
    path("reports/<int:pk>/confirm/", views.confirm_match, name="confirm_match"),
    path("today/", views.today, name="today"),
    path("notices/", notices.notice_list, name="notices"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
