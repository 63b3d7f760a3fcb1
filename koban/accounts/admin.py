from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from koban.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "station", "box", "is_active"]
    list_filter = ["role", "station", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Posting"),
            {"fields": ("role", "display_name", "badge_number", "agency", "station", "box", "language")},
        ),
    )
