"""Book des apprenants (``pedagogy.views_book``), under ``/<UAI>/book/``."""

from django.urls import path

from . import views_book as views

urlpatterns = [
    path("", views.book_view, name="book"),
    path("nouvelle/", views.achievement_create_view, name="book_achievement_create"),
    path("export.pdf", views.book_export_view, name="book_export"),
    path("apprenants/<int:pk>/", views.learner_book_view, name="book_learner"),
    path("<int:pk>/", views.achievement_detail_view, name="book_achievement"),
    path("<int:pk>/modifier/", views.achievement_edit_view, name="book_achievement_edit"),
    path("<int:pk>/supprimer/", views.achievement_delete_view, name="book_achievement_delete"),
    path("<int:pk>/passeport/", views.achievement_pick_view, name="book_achievement_pick"),
    path("<int:pk>/fichiers/", views.achievement_file_add_view, name="book_file_add"),
    path("<int:pk>/fichiers/<int:file_pk>/", views.achievement_file_view, name="book_file"),
    path("<int:pk>/fichiers/<int:file_pk>/supprimer/", views.achievement_file_delete_view, name="book_file_delete"),
    path("<int:pk>/commentaires/", views.achievement_comment_view, name="book_comment"),
]
