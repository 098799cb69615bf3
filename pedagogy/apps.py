from django.apps import AppConfig


class PedagogyConfig(AppConfig):
    name = "pedagogy"
    verbose_name = "Pédagogie"
    tenant_urls = [("parametres/masque-de-saisie/", "pedagogy.urls"), ("scenarios/", "pedagogy.urls_scenarios"),
                   ("", "pedagogy.urls_files"),
                   ("suivi/", "pedagogy.urls_followup"),
                   ("parametres/evaluation/", "pedagogy.urls_evaluation_settings"),
                   ("bilans/", "pedagogy.urls_bilans"),
                   ("grilles/", "pedagogy.urls_grids"),
                   ("entreprise/", "pedagogy.urls_company"),
                   ("book/", "pedagogy.urls_book"), ("passeport/", "pedagogy.urls_passport")]

    def ready(self):
        from . import registrations  # noqa: F401
