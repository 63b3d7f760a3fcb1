from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "koban.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from koban.accounts import signin

        signin.connect()
        # Two-factor devices are set up on the account page and removed by a password reset (audited);
        # django-otp's admin would change them outside the audit trail.
        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
