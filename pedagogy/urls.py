from django.urls import path

from . import views

urlpatterns = [
    path("", views.scenario_labels_view, name="settings_scenario_labels"),
    path("reinitialiser/", views.scenario_labels_reset_view, name="settings_scenario_labels_reset"),
]
