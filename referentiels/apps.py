from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    """The national référentiels (diplomas, competencies). For now only the ``DIPLOMAS`` constant."""

    name = "referentiels"
    verbose_name = "Référentiels"
