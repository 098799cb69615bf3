"""Paramètres: the Établissement, Logo, Transferts and Masque de saisie tabs, as an administrator uses them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Profile
from establishments.models import AuditEntry, Division, Establishment
from establishments.scoping import scope, scopes_disabled
from pedagogy.models import ScenarioField, ScenarioFieldLabel
from pedagogy.selectors import scenario_field_label, scenario_field_labels
from transfers.models import Direction, ManualTransferRequest, TransferRecord

from .fixtures_users import admin_client_fixture, admin_fixture, media_root_fixture, png_bytes, text  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/0750654D/parametres/"


def audit_actions(establishment) -> list[str]:
    with scope(establishment=establishment):
        return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# Onglet Établissement ------------------------------------------------------------------------------------------


def test_identity_tab_saves_the_establishment(admin_client, establishment):
    page = text(admin_client.get(URL))
    assert ">Enregistrer<" in page and 'value="0750654D"' in page and "readonly" in page
    response = admin_client.post(URL, {
        "name": "Lycée professionnel Jean Jaurès", "email": "ce.0750654d@ac-paris.fr",
        "address": "12 rue de la Paix\n75002 Paris", "phone": "01 44 55 66 77", "website": "lycee-jaures.fr",
    }, follow=True)
    assert "Les informations de l'établissement ont été enregistrées." in text(response)
    establishment.refresh_from_db()
    assert establishment.name == "Lycée professionnel Jean Jaurès"
    assert establishment.phone == "01 44 55 66 77"
    assert establishment.website == "https://lycee-jaures.fr"
    assert audit_actions(establishment) == ["establishment.identity"]


def test_identity_errors_are_in_french_and_nothing_is_saved(admin_client, establishment):
    response = admin_client.post(URL, {"name": "", "email": "pas-une-adresse", "phone": "abc",
                                       "address": "Nouvelle adresse", "website": "http://"})
    assert response.status_code == 400
    page = text(response)
    assert "Le nom de l'établissement est obligatoire." in page
    assert "Saisissez une adresse e-mail valide" in page
    assert "Saisissez un numéro de téléphone" in page
    assert "Saisissez une adresse de site web valide" in page
    assert "Nouvelle adresse" in page  # what was typed is still there
    establishment.refresh_from_db()
    assert establishment.name == "Lycée Jean Jaurès" and establishment.address == ""
    assert audit_actions(establishment) == []


def test_the_uai_cannot_be_changed_from_the_tab(admin_client, establishment):
    admin_client.post(URL, {"name": "X", "email": "x@example.org", "uai": "0999999F"})
    establishment.refresh_from_db()
    assert establishment.uai == "0750654D"


def test_identity_tab_says_what_is_missing(admin_client, establishment):
    Establishment.objects.filter(pk=establishment.pk).update(name="", email="")
    page = text(admin_client.get(URL))
    assert "À compléter : le nom, l'adresse e-mail" in page


def test_settings_are_for_the_administrator_and_the_head(establishment, make_user, login_as):
    head = make_user(establishment, Profile.HEAD, login="chef")
    assert login_as(head).get(URL).status_code == 200
    for profile in (Profile.DDFPT, Profile.TEACHER, Profile.LEARNER):
        assert login_as(make_user(establishment, profile, login=profile.value)).get(URL).status_code == 403


# Onglet Logo ---------------------------------------------------------------------------------------------------


def test_logo_and_stamp_are_uploaded_shown_and_deleted(admin_client, establishment, media_root,
                                                       django_capture_on_commit_callbacks):
    response = admin_client.post(URL + "logo/", {
        "kind": "logo", "logo-image": SimpleUploadedFile("mon logo.PNG", png_bytes(), "image/png"),
    }, follow=True)
    page = text(response)
    assert "Le logo a été enregistré." in page
    establishment.refresh_from_db()
    name = establishment.logo.name
    assert name.startswith("establishments/0750654D/logo-") and name.endswith(".png") and "mon logo" not in name
    assert (media_root / name).exists()
    assert f'src="/media/{name}"' in page and "Supprimer le logo" in page

    admin_client.post(URL + "logo/", {"kind": "stamp", "stamp-image": SimpleUploadedFile(
        "cachet.jpg", png_bytes(), "image/jpeg")})
    establishment.refresh_from_db()
    assert establishment.stamp.name.startswith("establishments/0750654D/cachet-")

    # A new logo replaces the old file (deleted once the change is committed).
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(URL + "logo/", {"kind": "logo", "logo-image": SimpleUploadedFile("b.png", png_bytes())})
    establishment.refresh_from_db()
    assert establishment.logo.name != name and not (media_root / name).exists()

    response = admin_client.post(URL + "logo/supprimer/", {"kind": "logo"}, follow=True)
    assert "Le logo a été supprimé." in text(response)
    establishment.refresh_from_db()
    assert not establishment.logo and establishment.stamp
    assert audit_actions(establishment) == ["establishment.logo.set"] * 3 + ["establishment.logo.delete"]


def test_a_refused_image_says_why_and_keeps_the_current_logo(admin_client, establishment):
    admin_client.post(URL + "logo/", {"kind": "logo", "logo-image": SimpleUploadedFile("a.png", png_bytes())})
    establishment.refresh_from_db()
    current = establishment.logo.name
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = admin_client.post(URL + "logo/", {"kind": "logo", "logo-image": SimpleUploadedFile("a.png", svg)})
    assert response.status_code == 400
    page = text(response)
    assert "Les images SVG ne sont pas acceptées" in page
    assert "Le logo n'a pas été enregistré" in page
    establishment.refresh_from_db()
    assert establishment.logo.name == current


def test_an_upload_without_a_file_asks_for_one(admin_client):
    response = admin_client.post(URL + "logo/", {"kind": "stamp"})
    assert "Choisissez un fichier image." in text(response)


# Onglet Transferts ---------------------------------------------------------------------------------------------


@pytest.fixture
def learners(establishment, make_user):
    with scopes_disabled():
        division = Division.objects.create(establishment=establishment, code="2MELEC1")
    people = {
        "sans_ine": make_user(establishment, Profile.LEARNER, login="carrie.stephanie", last_name="Carrie",
                              first_name="Stéphanie", division=division),
        "avec_ine": make_user(establishment, Profile.LEARNER, login="a.b", last_name="Avec", ine="123456789AB",
                              division=division),
        "parti": make_user(establishment, Profile.LEARNER, login="badier.samuel", last_name="Badier",
                           first_name="Samuel", ine="223456789AB", is_active=False, division=division),
        "parti2": make_user(establishment, Profile.LEARNER, login="bahans.thomas", last_name="Bahans",
                            first_name="Thomas", is_active=False),
    }
    return people


def test_transfer_switch_is_off_by_default_and_turns_on_with_the_cnil_number(admin_client, establishment):
    page = text(admin_client.get(URL + "transferts/"))
    assert "transfert désactivé" in page
    response = admin_client.post(URL + "transferts/", {"form": "switch", "transfer_enabled": "oui",
                                                       "cnil_declaration": " 1234567 "}, follow=True)
    assert "Le transfert des données des apprenants est activé." in text(response)
    establishment.refresh_from_db()
    assert establishment.transfer_enabled and establishment.cnil_declaration == "1234567"

    admin_client.post(URL + "transferts/", {"form": "switch", "transfer_enabled": "non", "cnil_declaration": ""})
    establishment.refresh_from_db()
    assert not establishment.transfer_enabled
    assert audit_actions(establishment) == ["establishment.transfer", "establishment.transfer"]


def test_transfer_switch_requires_a_choice(admin_client, establishment):
    response = admin_client.post(URL + "transferts/", {"form": "switch", "cnil_declaration": "42"})
    assert response.status_code == 400
    assert "Choisissez « Oui » ou « Non »." in text(response)


def test_transfers_tab_lists_learners_without_ine_the_records_and_the_deactivated(
        admin_client, establishment, other_establishment, learners):
    with scopes_disabled():
        TransferRecord.objects.create(establishment=establishment, direction=Direction.INCOMING,
                                      learner_name="NOUVEAU Élève", ine="323456789AB", other_uai="0170001J",
                                      done=False, cause="Changement de diplôme")
        TransferRecord.objects.create(establishment=establishment, direction=Direction.OUTGOING,
                                      learner=learners["parti"], learner_name="BADIER Samuel", ine="223456789AB",
                                      other_uai="0860010U", done=True)
        TransferRecord.objects.create(establishment=other_establishment, direction=Direction.OUTGOING,
                                      learner_name="AUTRE Établissement", ine="423456789AB", other_uai="0170001J")
    page = text(admin_client.get(URL + "transferts/"))
    without_ine = page.split('id="sans-ine"')[1].split('id="transferts-effectues"')[0]
    assert "CARRIE Stéphanie" in without_ine and "2MELEC1" in without_ine
    assert "AVEC" not in without_ine and "BADIER" not in without_ine  # has an INE / deactivated
    records = page.split('id="transferts-effectues"')[1].split('id="transferables"')[0]
    assert "NOUVEAU Élève" in records and "Changement de diplôme" in records and "0170001J" in records
    assert "BADIER Samuel" in records and "0860010U" in records
    assert "AUTRE Établissement" not in page
    transferable = page.split('id="transferables"')[1]
    assert "BADIER Samuel" in transferable and "BAHANS Thomas" in transferable
    assert "CARRIE" not in transferable


def test_manual_transfer_request_with_consent_reaches_the_platform_staff(
        admin_client, establishment, learners, make_user):
    learner = learners["parti"]
    response = admin_client.post(URL + "transferts/", {
        "form": "manual", "learner": learner.pk, "destination_uai": " 0860010u ", "consent": "responsables",
        "consent_confirmed": "on",
    }, follow=True)
    page = text(response)
    assert "La demande de transfert de BADIER Samuel vers 0860010U est enregistrée" in page
    assert "en attente du service technique" in page
    with scope(establishment=establishment):
        request = ManualTransferRequest.objects.get()
    assert (request.learner, request.destination_uai, request.consent, request.done) == (
        learner, "0860010U", "responsables", False)
    assert audit_actions(establishment) == ["transfer.manual.request"]

    # A second request while the first is pending is refused.
    again = admin_client.post(URL + "transferts/", {
        "form": "manual", "learner": learner.pk, "destination_uai": "0170001J", "consent": "apprenant",
        "consent_confirmed": "on"})
    assert again.status_code == 400
    assert "est déjà en attente du service technique" in text(again)

    # The platform staff see it in their console and mark it done.
    staff = make_user(None, Profile.ADMIN, login="staff", is_staff=True, is_superuser=True)
    console = Client()
    console.force_login(staff)
    listing = console.get("/plateforme/transfers/manualtransferrequest/")
    assert listing.status_code == 200 and "0860010U" in text(listing)
    console.post("/plateforme/transfers/manualtransferrequest/", {
        "action": "mark_done", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.done and request.done_at is not None
    assert "effectué le" in text(admin_client.get(URL + "transferts/"))
    assert audit_actions(establishment) == ["transfer.manual.request", "transfer.manual.done"]


@pytest.mark.parametrize("data,error", [
    ({"destination_uai": "0860010A"}, "la lettre de contrôle devrait être U"),
    ({"destination_uai": "12345"}, "doit comporter 7 chiffres suivis d'une lettre"),
    ({"destination_uai": "0750654D"}, "doit être un autre établissement que le vôtre"),
    ({"consent_confirmed": ""}, "sans l'autorisation de l'apprenant ou de ses responsables légaux"),
    ({"consent": ""}, "Indiquez qui a donné son autorisation."),
])
def test_manual_transfer_request_refusals(admin_client, establishment, learners, data, error):
    post = {"form": "manual", "learner": learners["parti"].pk, "destination_uai": "0860010U",
            "consent": "apprenant", "consent_confirmed": "on", **data}
    response = admin_client.post(URL + "transferts/", post)
    assert response.status_code == 400
    assert error in text(response)
    with scope(establishment=establishment):
        assert not ManualTransferRequest.objects.exists()


def test_an_active_learner_cannot_be_transferred_by_hand(admin_client, establishment, learners):
    response = admin_client.post(URL + "transferts/", {
        "form": "manual", "learner": learners["avec_ine"].pk, "destination_uai": "0860010U",
        "consent": "apprenant", "consent_confirmed": "on"})
    assert "Cet apprenant ne peut pas être transféré." in text(response)


# Onglet Masque de saisie ---------------------------------------------------------------------------------------


@pytest.fixture
def subscribed_diplomas(establishment):
    """The mask lists the diplomas the establishment subscribes to (issue 10)."""
    from referentiels.models import Diploma
    from referentiels.services import subscribe

    with scopes_disabled():
        for code in ("MELEC", "CIEL"):
            subscribe(establishment, Diploma.objects.create(code=code, name=code, kind=Diploma.Kind.BAC_PRO))


@pytest.mark.usefixtures("subscribed_diplomas")
def test_scenario_labels_are_renamed_per_diploma_and_reset(admin_client, establishment, other_establishment):
    page = text(admin_client.get(URL + "masque-de-saisie/?diplome=MELEC"))
    assert "Liaison avec les compétences transversales" in page and "Bac Pro MELEC" in page
    response = admin_client.post(URL + "masque-de-saisie/", {
        "diplome": "MELEC", "title": "Intitulé de la séquence", "context": "Contexte",
        "referential_link": "", "transversal_link": "Compétences communes (CC1–CC9)", "resources": "Ressources",
    }, follow=True)
    assert "Le masque de saisie du diplôme MELEC a été enregistré." in text(response)
    assert 'value="Intitulé de la séquence"' in text(response)

    with scope(establishment=establishment):
        assert scenario_field_label(establishment, "MELEC", ScenarioField.TITLE) == "Intitulé de la séquence"
        assert scenario_field_label(establishment, "MELEC", "context") == "Contexte"
        assert scenario_field_label(establishment, "CIEL", "title") == "Titre"  # another diploma
        labels = scenario_field_labels(establishment, "MELEC")
        assert labels["transversal_link"] == "Compétences communes (CC1–CC9)"
        assert labels["referential_link"] == "Liaison avec le référentiel"
        assert ScenarioFieldLabel.objects.count() == 2  # only renamed labels are stored
    with scope(establishment=other_establishment):
        assert scenario_field_label(other_establishment, "MELEC", "title") == "Titre"

    response = admin_client.post(URL + "masque-de-saisie/reinitialiser/", {"diplome": "MELEC"}, follow=True)
    assert "Les intitulés par défaut du diplôme MELEC sont rétablis." in text(response)
    with scope(establishment=establishment):
        assert scenario_field_labels(establishment, "MELEC")["title"] == "Titre"
    assert audit_actions(establishment) == ["establishment.scenario_labels", "establishment.scenario_labels.reset"]


@pytest.mark.usefixtures("subscribed_diplomas")
def test_scenario_label_too_long_is_refused_and_nothing_saved(admin_client, establishment):
    response = admin_client.post(URL + "masque-de-saisie/", {"diplome": "CIEL", "title": "x" * 200,
                                                              "context": "Situation"})
    assert response.status_code == 400
    assert "au plus 120 caractères" in text(response)
    with scope(establishment=establishment):
        assert not ScenarioFieldLabel.objects.exists()


@pytest.mark.usefixtures("subscribed_diplomas")
def test_unknown_diploma_falls_back_with_a_message(admin_client):
    page = text(admin_client.get(URL + "masque-de-saisie/?diplome=NOPE"))
    assert "Ce diplôme est inconnu" in page


def test_tabs_shown_depend_on_the_profile(admin_client, establishment, make_user, login_as):
    page = text(admin_client.get(URL))
    for label in ("Établissement", "Logo", "Transferts", "Masque de saisie", "Journal des actions"):
        assert f">{label}</a>" in page
    assert ">Accès inspecteur</a>" not in page.split("Onglets des paramètres")[1]
    ddfpt = login_as(make_user(establishment, Profile.DDFPT, login="ddfpt",
                               birth_date=datetime.date(1980, 1, 1)))
    page = text(ddfpt.get("/0750654D/acces-inspecteur/"))
    assert "Onglets des paramètres" not in page  # a single tab: no tab bar
