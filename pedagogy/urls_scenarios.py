from django.urls import path

from . import views_scenarios as views

urlpatterns = [
    path("", views.scenario_list_view, name="scenarios"),
    path("nouveau/", views.scenario_create_view, name="scenario_create"),
    path("recus/", views.received_list_view, name="scenarios_received"),
    path("recus/<int:pk>/importer/", views.received_import_view, name="scenario_received_import"),
    path("<int:pk>/", views.scenario_detail_view, name="scenario_detail"),
    path("<int:pk>/modifier/", views.scenario_edit_view, name="scenario_edit"),
    path("<int:pk>/dupliquer/", views.scenario_duplicate_view, name="scenario_duplicate"),
    path("<int:pk>/supprimer/", views.scenario_delete_view, name="scenario_delete"),
    path("<int:pk>/partager/", views.scenario_share_view, name="scenario_share"),
]
