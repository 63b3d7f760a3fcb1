from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    name = "koban.counter"
    verbose_name = _("Counter log")

    def ready(self) -> None:
        # Counter matters take links to incidents and found items (no attachments).
        from django.urls import reverse
        from django.utils.translation import gettext

        from koban.accounts.access import access_matter, can_link_matter, matters_visible_to
        from koban.attachments.registry import ParentKind, register

        register(
            ParentKind(
                slug="matter",
                label="counter.countermatter",
                access=access_matter,
                can_attach=can_link_matter,
                page=lambda matter: reverse("counter:edit", args=[matter.pk]),
                visible=matters_visible_to,
                title=lambda matter: (
                    gettext("Counter matter %(when)s") % {"when": f"{matter.received_at:%Y-%m-%d %H:%M}"}
                ),
                takes_attachments=False,
            )
        )
