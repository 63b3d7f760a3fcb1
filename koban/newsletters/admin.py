"""Admin: newsletter issues are shown read-only (generated, edited and published through the services)."""

from __future__ import annotations

from django.contrib import admin

from koban.audit.admin import ReadOnlyAdmin
from koban.newsletters.models import Newsletter


@admin.register(Newsletter)
class NewsletterAdmin(ReadOnlyAdmin):
    box_path = "box"
    list_display = ["box", "month", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["box"]
    exclude = ["content"]
