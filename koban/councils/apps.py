from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "koban.councils"
    verbose_name = _("Liaison councils")
