from django.urls import path

from . import views

urlpatterns = [
    path("", views.identity_view, name="settings_identity"),
    path("logo/", views.logo_view, name="settings_logo"),
    path("logo/supprimer/", views.logo_delete_view, name="settings_logo_delete"),
    path("transferts/", views.transfers_view, name="settings_transfers"),
    path("masque-de-saisie/", views.scenario_labels_view, name="settings_scenario_labels"),
    path("masque-de-saisie/reinitialiser/", views.scenario_labels_reset_view, name="settings_scenario_labels_reset"),
]
