from django.urls import path

from . import views_company as views

urlpatterns = [
    path("bilans/<int:pk>/", views.company_bilan_view, name="company_bilan"),
    path("bilans/<int:pk>/lien/", views.company_bilan_link_view, name="company_bilan_link"),
    path("bilans/<int:pk>/lien/revoquer/", views.company_bilan_revoke_view, name="company_bilan_revoke"),
    path("bilans/<int:pk>/valider/", views.company_bilan_validate_view, name="company_bilan_validate"),
    path("bilans/<int:pk>/papier/", views.company_bilan_print_view, name="company_bilan_print"),
    path("tuteur/<int:pk>/<str:token>/", views.tutor_bilan_view, name="tutor_bilan"),
]
