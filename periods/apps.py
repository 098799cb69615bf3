from django.apps import AppConfig


class PeriodsConfig(AppConfig):
    name = "periods"
    verbose_name = "Périodes"

    def ready(self):
        from . import registrations  # noqa: F401
