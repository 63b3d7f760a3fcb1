from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "koban.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from koban.accounts import signin

        signin.connect()
