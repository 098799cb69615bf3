"""URLs of an establishment's space, mounted under ``/<UAI>/`` with the ``tenant`` namespace.

Each app plugs its own urls here; the establishment middleware resolves the UAI and scopes the request.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("parametres/", include("establishments.urls")),
    path("imports/", include("imports.urls")),
]
