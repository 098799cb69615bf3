from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console de pilotage"
    tenant_urls = ("console/", "console.urls")

    def ready(self):
        from . import registrations  # noqa: F401
