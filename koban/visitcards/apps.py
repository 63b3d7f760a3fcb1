from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitcardsConfig(AppConfig):
    name = "koban.visitcards"
    verbose_name = _("Visit cards")
