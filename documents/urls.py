from django.urls import path

from . import views

urlpatterns = [
    path("documents/", views.documents_view, name="documents"),
    path("documents/<int:pk>/telecharger/", views.document_download_view, name="document_download"),
    path("utilisateurs/acces-apprenants/<int:division_pk>/identifiants.odt", views.learner_access_document_view,
         {"extension": "odt"}, name="learner_access_odt"),
    path("utilisateurs/acces-apprenants/<int:division_pk>/identifiants.pdf", views.learner_access_document_view,
         {"extension": "pdf"}, name="learner_access_pdf"),
]
