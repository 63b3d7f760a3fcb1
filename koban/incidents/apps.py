from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "koban.incidents"
    verbose_name = _("Incidents and 110 calls")

    def ready(self) -> None:
        from koban.incidents.presence import dispatches_away
        from koban.rosters.presence import register_away_source

        register_away_source(dispatches_away)

        from koban.geography.services import follow_beat_activation

        follow_beat_activation("incidents.replace")

        from django.urls import reverse
        from django.utils.translation import gettext

        from koban.accounts.access import access_incident, can_attach_to_incident, incidents_visible_to
        from koban.attachments.registry import ParentKind, register

        register(
            ParentKind(
                slug="incident",
                label="incidents.incident",
                access=access_incident,
                can_attach=can_attach_to_incident,
                page=lambda incident: reverse("incidents:detail", args=[incident.pk]),
                visible=incidents_visible_to,
                title=lambda incident: gettext("Incident #%(id)s") % {"id": incident.pk},
            )
        )

        from koban.incidents.categories import seed_default_categories

        post_migrate.connect(seed_default_categories, sender=self, dispatch_uid="incidents.seed_categories")
