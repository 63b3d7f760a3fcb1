"""Admin: request categories (the Open311 services) are configuration, edited with an audit row.

Requests and action items carry residents' contact details and the box's decisions: they change only on
the box's pages and through Open311, never in the admin.
"""

from __future__ import annotations

from django.contrib import admin

from koban.audit.admin import AuditedConfigAdmin
from koban.voice.models import RequestCategory


@admin.register(RequestCategory)
class RequestCategoryAdmin(AuditedConfigAdmin):
    list_display = ["code", "labels", "group", "sensitive", "active", "sort_order"]
    list_filter = ["sensitive", "active"]
