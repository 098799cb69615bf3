from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"
    tenant_urls = [("", "documents.urls")]

    def ready(self):
        # The producers of this app's own documents (the learners' login sheet), its menu entry.
        from . import learner_access, registrations  # noqa: F401
