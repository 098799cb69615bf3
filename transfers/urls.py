from django.urls import path

from . import views

urlpatterns = [
    path("", views.transfers_view, name="settings_transfers"),
]
