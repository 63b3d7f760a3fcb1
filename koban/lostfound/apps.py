from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LostfoundConfig(AppConfig):
    name = "koban.lostfound"
    verbose_name = _("Lost and found")
