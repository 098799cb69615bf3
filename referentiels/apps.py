from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    """The national référentiels (global, versioned data loaded by ``load_referentiel``), the establishments'
    subscriptions to diplomas, their classes' cohorts and the référentiel browser."""

    name = "referentiels"
    verbose_name = "Référentiels"
    tenant_urls = ("referentiels/", "referentiels.urls")

    def ready(self):
        from . import admin_subscriptions, registrations  # noqa: F401
