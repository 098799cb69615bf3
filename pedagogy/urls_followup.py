from django.urls import path

from . import views_followup as views

urlpatterns = [
    path("", views.followup_index_view, name="followup"),
    path("classe/<int:division_pk>/", views.followup_class_view, name="followup_class"),
    path("groupe/<int:group_pk>/", views.followup_group_view, name="followup_group"),
    path("apprenant/<int:pk>/", views.followup_learner_view, name="followup_learner"),
]
