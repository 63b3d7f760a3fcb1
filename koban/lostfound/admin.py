from django.contrib import admin

from koban.lostfound.models import FoundItem, Handover, ItemCategory, ItemTask, LossReport


@admin.register(ItemCategory)
class ItemCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "labels", "holds_personal_data", "bulky", "sort_order"]


@admin.register(FoundItem)
class FoundItemAdmin(admin.ModelAdmin):
    list_display = ["receipt_number", "box", "category", "state", "handed_in_at", "notice_ends_on"]
    list_filter = ["state", "category"]
    search_fields = ["receipt_number", "description"]
    readonly_fields = [
        "state",
        "state_changed_on",
        "notice_ends_on",
        "finder_claim_ends_on",
        "disposable_from",
    ]


admin.site.register(LossReport)
admin.site.register(Handover)
admin.site.register(ItemTask)
