from django.urls import path

from . import views_bilans as views

urlpatterns = [
    path("", views.bilans_home_view, name="bilans"),
    path("classe/<int:division_pk>/periode/<int:period_pk>/", views.bilans_class_view, name="bilans_class"),
    path("classe/<int:division_pk>/periode/<int:period_pk>/bilans.pdf", views.bilans_class_pdf_view,
         name="bilans_class_pdf"),
    path("apprenant/<int:learner_pk>/periode/<int:period_pk>/", views.bilan_edit_view, name="bilan_edit"),
    path("<int:pk>/", views.bilan_detail_view, name="bilan_detail"),
    path("<int:pk>/bilan.pdf", views.bilan_pdf_view, name="bilan_pdf"),
    path("<int:pk>/rouvrir/", views.bilan_reopen_view, name="bilan_reopen"),
]
