from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "koban.patrols"
    verbose_name = _("Patrols")

    def ready(self) -> None:
        from koban.patrols.presence import patrols_away
        from koban.rosters.presence import register_away_source

        register_away_source(patrols_away)
