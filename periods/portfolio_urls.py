from django.urls import path

from . import portfolio_views as views

urlpatterns = [
    path("", views.portfolio_home_view, name="portfolios"),
    path("periode/<int:period_pk>/", views.portfolio_period_view, name="portfolio_period"),
    path("<int:pk>/", views.portfolio_detail_view, name="portfolio_detail"),
    path("<int:pk>/entreprise/", views.portfolio_company_view, name="portfolio_company"),
    path("<int:pk>/competences/", views.portfolio_selection_view, name="portfolio_selection"),
    path("<int:pk>/fiches/nouvelle/", views.fiche_create_view, name="fiche_create"),
    path("<int:pk>/fiches/<int:fiche_pk>/", views.fiche_edit_view, name="fiche_edit"),
    path("<int:pk>/fiches/<int:fiche_pk>/supprimer/", views.fiche_delete_view, name="fiche_delete"),
    path("<int:pk>/fiches/<int:fiche_pk>/relire/", views.fiche_review_view, name="fiche_review"),
    path("<int:pk>/fichiers/<int:attachment_pk>/", views.attachment_download_view, name="fiche_attachment"),
    path("<int:pk>/fichiers/<int:attachment_pk>/supprimer/", views.attachment_delete_view,
         name="fiche_attachment_delete"),
]
