from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "koban.households"
    verbose_name = _("Household visits")

    def ready(self) -> None:
        # Check KOBAN_VISIT_POLICY at start-up, so a typo stops the process with a clear message.
        from koban.households.policy import get_policy

        get_policy()

        from koban.geography.services import follow_beat_activation

        follow_beat_activation("households.replace")
