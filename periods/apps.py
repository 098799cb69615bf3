from django.apps import AppConfig


class PeriodsConfig(AppConfig):
    name = "periods"
    verbose_name = "Périodes"
    tenant_urls = [("pfmp/", "periods.urls")]

    def ready(self):
        from . import registrations  # noqa: F401
