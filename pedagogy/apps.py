from django.apps import AppConfig


class PedagogyConfig(AppConfig):
    name = "pedagogy"
    verbose_name = "Pédagogie"
    tenant_urls = [("parametres/masque-de-saisie/", "pedagogy.urls"), ("scenarios/", "pedagogy.urls_scenarios"),
                   ("", "pedagogy.urls_files"),
                   ("book/", "pedagogy.urls_book"), ("passeport/", "pedagogy.urls_passport")]

    def ready(self):
        from . import registrations  # noqa: F401
