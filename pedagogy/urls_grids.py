from django.urls import path

from . import views_grids as views

urlpatterns = [
    path("", views.grid_list_view, name="grids"),
    path("nouvelle/", views.grid_create_view, name="grid_create"),
    path("<int:pk>/", views.grid_detail_view, name="grid_detail"),
    path("<int:pk>/cellule/", views.grid_cell_view, name="grid_cell"),
    path("<int:pk>/apprenant/<int:learner_pk>/", views.grid_learner_view, name="grid_learner"),
    path("<int:pk>/imprimer/", views.grid_print_view, name="grid_print"),
    path("<int:pk>/modifier/", views.grid_edit_view, name="grid_edit"),
    path("<int:pk>/supprimer/", views.grid_delete_view, name="grid_delete"),
]
