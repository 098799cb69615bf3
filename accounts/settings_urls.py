"""Paramètres tabs owned by accounts, mounted under ``/<UAI>/parametres/`` (see ``AccountsConfig.tenant_urls``)."""

from django.urls import path

from . import settings_views

urlpatterns = [
    path("", settings_views.identity_view, name="settings_identity"),
    path("logo/", settings_views.logo_view, name="settings_logo"),
    path("logo/supprimer/", settings_views.logo_delete_view, name="settings_logo_delete"),
]
