"""Passeport professionnel (``pedagogy.views_passport``), under ``/<UAI>/passeport/``."""

from django.urls import path

from . import views_passport as views

urlpatterns = [
    path("", views.passport_view, name="passport"),
    path("passeport.pdf", views.passport_pdf_view, name="passport_pdf"),
    path("apprenants/<int:pk>/", views.learner_passport_view, name="learner_passport"),
    path("apprenants/<int:pk>/passeport.pdf", views.learner_passport_pdf_view, name="learner_passport_pdf"),
]
