"""Every form field of the site carries its DSFR class, whichever form it belongs to (issue 9, item 13).

The browser test (tests/browser/test_interface.py) checks that the fields are visible; this one checks the cause:
the project's form renderer styles the widgets of every form, not only the forms that opted in.
"""

from html.parser import HTMLParser

import pytest
from django import forms

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from referentiels.models import Diploma
from referentiels.services import subscribe

from .conftest import PASSWORD

EXPECTED = {"input": "fr-input", "textarea": "fr-input", "select": "fr-select"}
UNSTYLED_TYPES = {"hidden", "checkbox", "radio", "submit", "button"}


class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in EXPECTED and attrs.get("type", "text") not in UNSTYLED_TYPES:
            self.fields.append((tag, attrs))


def unstyled_fields(html: str) -> list:
    parser = Fields()
    parser.feed(html)
    wrong = []
    for tag, attrs in parser.fields:
        classes = (attrs.get("class") or "").split()
        expected = "fr-upload" if attrs.get("type") == "file" else EXPECTED[tag]
        if expected not in classes:
            wrong.append(attrs.get("name") or attrs.get("id"))
    return wrong


def test_a_plain_django_form_gets_the_dsfr_classes():
    class AnyForm(forms.Form):
        name = forms.CharField()
        note = forms.CharField(widget=forms.Textarea)
        when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        kind = forms.ChoiceField(choices=[("a", "A")])
        kinds = forms.MultipleChoiceField(choices=[("a", "A")])
        upload = forms.FileField()
        agree = forms.BooleanField()
        custom = forms.CharField(widget=forms.TextInput(attrs={"class": "cpro-mono"}))

    html = AnyForm().as_div()
    assert unstyled_fields(html) == ["custom"]  # a form's own class is kept
    assert 'class="fr-upload"' in html
    assert 'name="agree" required id="id_agree"' in html  # no class on a checkbox


@pytest.mark.django_db
def test_pages_with_forms_render_every_field_with_dsfr_styles(establishment, make_user, client):
    assert unstyled_fields(client.get(f"/{establishment.uai}/connexion/").content.decode()) == []
    with scopes_disabled():  # the Masque de saisie shows its fields for a subscribed diploma
        subscribe(establishment, Diploma.objects.create(code="MELEC", name="MELEC", kind=Diploma.Kind.BAC_PRO))
    admin = make_user(establishment, Profile.ADMIN, login="claire.martin")
    client.post(f"/{establishment.uai}/connexion/", {"username": admin.login, "password": PASSWORD})
    for url in ("mot-de-passe/", "imports/", "imports/hors-siecle/", "utilisateurs/nouveau/",
                "parametres/masque-de-saisie/", "parametres/transferts/", "parametres/", "utilisateurs/"):
        response = client.get(f"/{establishment.uai}/{url}")
        assert response.status_code == 200, url
        html = response.content.decode()
        assert unstyled_fields(html) == [], url
        assert "<input" in html or "<select" in html, url  # some field to check on every page
