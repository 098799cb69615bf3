"""A page this test app adds to an establishment's space, and how it shows itself: a menu entry, a home card, a
Paramètres tab and an audit label, all registered here (``TestAppConfig.ready``). It edits no other app's file:
that is what tests/test_layers.py proves a new app can do."""

from django.urls import path

from accounts.models import Profile
from accounts.permissions import for_profiles, profile_required
from accounts.settings_views import render_settings_tab
from establishments import extensions


@profile_required(Profile.ADMIN, Profile.HEAD)
def extension_view(request):
    return render_settings_tab(request, "establishments/settings_base.html", "testapp", {})


urlpatterns = [path("", extension_view, name="testapp_extension")]


def register() -> None:
    visible = for_profiles(Profile.ADMIN, Profile.HEAD)
    card = extensions.Link("testapp", "Carnet d'essai", "testapp_extension", visible,
                           "Une page ajoutée par une application de test.", order=99)
    extensions.menu.register(card)
    extensions.home_cards.register(card)
    extensions.settings_tabs.register(extensions.Link("testapp", "Onglet d'essai", "testapp_extension", visible,
                                                      order=99))
    extensions.audit_labels.register({"testapp.essai": "Action de l'application d'essai"})
