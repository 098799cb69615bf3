from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    verbose_name = "Application de test (données d'apprenants)"
    # A page, a menu entry, a home card, a Paramètres tab and an audit label, declared here only (extension.py).
    tenant_urls = ("essai-extension/", "tests.testapp.extension")

    def ready(self):
        from django.apps import apps

        if self.apps is not apps:  # a test's isolated registry (isolate_apps): the real one registered already
            return
        from .extension import register

        register()
