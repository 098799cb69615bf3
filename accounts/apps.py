from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"
    tenant_urls = [("", "accounts.urls"), ("parametres/", "accounts.settings_urls")]

    def ready(self):
        from . import checks, registrations  # noqa: F401
