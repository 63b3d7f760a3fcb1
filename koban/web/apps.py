from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "koban.web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        # Every app registers its dashboard sections in its own ``dashboard`` module.
        from koban.lib.dashboard import autodiscover

        autodiscover()
