from django.urls import path

from . import views

urlpatterns = [
    path("", views.pfmp_home_view, name="pfmp"),
    path("annexe/nouvelle/", views.annex_create_view, name="annex_create"),
    path("annexe/<int:pk>/modifier/", views.annex_edit_view, name="annex_edit"),
    path("annexe/<int:pk>/dupliquer/", views.annex_duplicate_view, name="annex_duplicate"),
    path("annexe/<int:pk>/supprimer/", views.annex_delete_view, name="annex_delete"),
    path("annexe/<int:pk>/declarer/", views.period_declare_view, name="period_declare"),
    path("periode/<int:pk>/", views.period_detail_view, name="period_detail"),
    path("periode/<int:pk>/modifier/", views.period_edit_view, name="period_edit"),
    path("periode/<int:pk>/supprimer/", views.period_delete_view, name="period_delete"),
    path("periode/<int:pk>/jours/", views.period_days_view, name="period_days"),
    path("periode/<int:pk>/referents/", views.period_referent_view, name="period_referent"),
    path("periode/<int:pk>/apprenant/<int:placement_pk>/retirer/", views.period_remove_learner_view,
         name="period_remove_learner"),
    path("jours/", views.ledger_view, name="pfmp_ledger"),
    path("jours/export.csv", views.ledger_csv_view, name="pfmp_ledger_csv"),
    path("jours/duree/<slug:code>/", views.weeks_minimum_view, name="pfmp_weeks_minimum"),
    path("mes-periodes/", views.my_periods_view, name="my_periods"),
]
