from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Transferts"
    tenant_urls = ("parametres/transferts/", "transfers.urls")

    def ready(self):
        from . import registrations  # noqa: F401
