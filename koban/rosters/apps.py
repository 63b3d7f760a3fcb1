from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "koban.rosters"
    verbose_name = _("Shift rosters and box staffing")
