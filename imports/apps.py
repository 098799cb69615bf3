from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Importations"
    tenant_urls = ("imports/", "imports.urls")

    def ready(self):
        from . import registrations  # noqa: F401
