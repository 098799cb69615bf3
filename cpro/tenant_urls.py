"""URLs of an establishment's space, mounted under ``/<UAI>/`` with the ``tenant`` namespace.

Each app plugs its own urls by declaring ``tenant_urls = [(prefix, "app.urls"), …]`` on its ``AppConfig``: a new
app edits no other file. The establishment middleware resolves the UAI and scopes the request.
"""

from django.apps import apps
from django.urls import include, path


def _app_urls() -> list:
    patterns = []
    for config in apps.get_app_configs():
        declared = getattr(config, "tenant_urls", ())
        if declared and isinstance(declared[0], str):
            declared = [declared]
        patterns += [path(prefix, include(module)) for prefix, module in declared]
    return patterns


urlpatterns = _app_urls()
