from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="referentiels"),
    path("classes/", views.classes_view, name="referentiels_classes"),
    path("classes/<int:division_pk>/", views.class_cohort_view, name="referentiels_class"),
    # A stable address: other pages link to …/referentiels/MELEC/2024/#C7.
    path("<slug:diploma>/<slug:version>/", views.version_view, name="referentiel_version"),
]
