from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LostfoundConfig(AppConfig):
    name = "koban.lostfound"
    verbose_name = _("Lost and found")

    def ready(self) -> None:
        # Check KOBAN_LOST_FOUND_RULES at start-up, so a typo stops the process with a clear message.
        from koban.lostfound.rules import get_rules

        get_rules()

        from django.urls import reverse
        from django.utils.translation import gettext

        from koban.accounts.access import access_item, can_attach_to_item, items_visible_to
        from koban.attachments.registry import ParentKind, register

        register(
            ParentKind(
                slug="item",
                label="lostfound.founditem",
                access=access_item,
                can_attach=can_attach_to_item,
                page=lambda item: reverse("lostfound:item", args=[item.pk]),
                visible=items_visible_to,
                title=lambda item: gettext("Found item %(receipt)s") % {"receipt": item.receipt_number},
            )
        )
