from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    """Photos and documents attached to incidents and found items (the parents register themselves)."""

    name = "koban.attachments"
    verbose_name = _("Attachments")
