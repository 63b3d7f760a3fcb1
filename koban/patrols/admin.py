from django.contrib.gis import admin

from koban.patrols.models import Observation, Patrol, PatrolCard, PatrolStop


@admin.register(Patrol)
class PatrolAdmin(admin.GISModelAdmin):
    list_display = ["box", "started_at", "ended_at", "kind", "source", "distance_m"]
    list_filter = ["kind", "source"]


admin.site.register(PatrolStop, admin.GISModelAdmin)
admin.site.register(Observation, admin.GISModelAdmin)
admin.site.register(PatrolCard, admin.GISModelAdmin)
