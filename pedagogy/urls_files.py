"""Exports and resources of a scenario (``pedagogy.views_exports``)."""

from django.urls import path

from . import views_exports

urlpatterns = [
    path("scenarios/<int:pk>/export.odt", views_exports.scenario_export_view, {"extension": "odt"},
         name="scenario_export_odt"),
    path("scenarios/<int:pk>/export.docx", views_exports.scenario_export_view, {"extension": "docx"},
         name="scenario_export_docx"),
    path("scenarios/<int:pk>/ressources/ajouter/", views_exports.resource_add_view, name="scenario_resource_add"),
    path("scenarios/<int:pk>/ressources/<int:resource_pk>/supprimer/", views_exports.resource_delete_view,
         name="scenario_resource_delete"),
    path("scenarios/<int:pk>/ressources/<int:resource_pk>/telecharger/", views_exports.resource_download_view,
         name="scenario_resource_download"),
]
