"""The project's URLs plus the deliberately broken views (tests/testapp/views_broken.py), for the sweep's own tests."""

from django.urls import include, path

from cpro.urls import urlpatterns as project_urlpatterns

from . import views_broken

essai = ([
    path("succes/<int:pk>/", views_broken.achievement_rename, name="achievement_rename"),
    path("succes/<int:pk>/brut/", views_broken.achievement_rename_unscoped, name="achievement_rename_unscoped"),
    path("succes/<int:pk>/corrige/", views_broken.achievement_rename_fixed, name="achievement_rename_fixed"),
], "essai")

urlpatterns = [path("<uai:uai>/essai/", include(essai)), *project_urlpatterns]
