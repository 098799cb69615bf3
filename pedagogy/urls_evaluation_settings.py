from django.urls import path

from . import views_followup as views

urlpatterns = [
    path("", views.evaluation_settings_view, name="settings_evaluation"),
]
