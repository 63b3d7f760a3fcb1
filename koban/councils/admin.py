"""Admin: councils and their records are shown read-only, limited to the boxes one may see (the services
write and audit them); opening a member records the read of their name and contact."""

from __future__ import annotations

from django.contrib import admin

from koban.audit.admin import ReadOnlyAdmin
from koban.councils.models import Council, CouncilMember, Meeting, Opinion


@admin.register(Council)
class CouncilAdmin(ReadOnlyAdmin):
    box_path = "box"
    list_display = ["name", "box"]
    list_select_related = ["box"]


@admin.register(CouncilMember)
class CouncilMemberAdmin(ReadOnlyAdmin):
    box_path = "council__box"
    personal_fields = CouncilMember.PERSONAL_FIELDS
    list_display = ["council", "kind", "organization", "term_start", "term_end", "left_on"]
    list_filter = ["kind"]
    list_select_related = ["council"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    box_path = "council__box"
    list_display = ["council", "held_on", "status"]
    list_filter = ["status"]
    list_select_related = ["council"]
    date_hierarchy = "held_on"


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    box_path = "meeting__council__box"
    list_display = ["meeting", "category", "__str__"]
    list_filter = ["category"]
    list_select_related = ["meeting", "meeting__council"]
