from django.urls import path

from . import views

urlpatterns = [
    path("", views.console_view, name="console"),
    path("periodes/", views.periods_view, name="console_periods"),
    path("periodes/<int:pk>/", views.period_edit_view, name="console_period_edit"),
    path("periodes/<int:pk>/supprimer/", views.period_delete_view, name="console_period_delete"),
    path("bilans/<int:division_pk>/<int:period_pk>/", views.bilans_missing_view, name="console_bilans_missing"),
    path("couverture/<int:division_pk>/", views.coverage_view, name="console_coverage"),
    path("book/", views.book_view, name="console_book"),
]
