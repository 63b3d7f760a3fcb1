from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunsConfig(AppConfig):
    name = "koban.runs"
    verbose_name = _("Background runs")
    default_auto_field = "django.db.models.BigAutoField"
