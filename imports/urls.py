from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="imports"),
    path("analyse/", views.upload_view, name="imports_upload"),
    path("<int:pk>/", views.run_view, name="imports_run"),
    path("<int:pk>/etat/", views.run_status_view, name="imports_run_status"),
    path("<int:pk>/importer/", views.run_apply_view, name="imports_run_apply"),
    path("<int:pk>/analyser/", views.run_reanalyse_view, name="imports_run_reanalyse"),
    path("<int:pk>/abandonner/", views.run_abandon_view, name="imports_run_abandon"),
    path("<int:pk>/rapport.csv", views.run_report_csv_view, name="imports_run_report_csv"),
    path("hors-siecle/", views.hors_siecle_view, name="imports_hors_siecle"),
    path("hors-siecle/modele.csv", views.csv_template_view, name="imports_csv_template"),
]
