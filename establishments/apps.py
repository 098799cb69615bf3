from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "establishments"
    verbose_name = "Établissements"

    def ready(self):
        from . import registrations  # noqa: F401
