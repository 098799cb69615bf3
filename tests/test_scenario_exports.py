"""Export of a scenario (issue 11): ODT and DOCX written from one document model, opened back with odfpy and
python-docx; the establishment's name and logo, the Masque de saisie's labels, every linked code; a scenario with no
link still exports; only those who may view the scenario get it."""

import io
import zipfile

import pytest
from django.urls import reverse

from accounts.models import Profile
from documents.printable import french
from establishments.scoping import scopes_disabled
from pedagogy.models import ScenarioField, ScenarioFieldLabel, ScenarioResource

from .fixtures_users import media_root_fixture, png_bytes  # noqa: F401
from .scenario_factory import make_scenario, melec_version

pytestmark = pytest.mark.django_db

CODES = ["T1.1", "T2.3", "C1", "C2", "C1.1", "C1.2", "C2.1", "C2.2"]


def odt_text(content: bytes) -> str:
    from odf import teletype
    from odf.opendocument import load

    document = load(io.BytesIO(content))
    return "\n".join(teletype.extractText(element) for element in document.text.childNodes)


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


TEXT = {"odt": odt_text, "docx": docx_text}


@pytest.fixture
def version(db):
    return melec_version()


@pytest.fixture
def author(establishment, make_user):
    return make_user(establishment, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")


@pytest.fixture
def scenario(establishment, version, author):
    scenario = make_scenario(establishment, version, authors=[author])
    with scopes_disabled():
        ScenarioResource.objects.create(establishment=establishment, scenario=scenario, kind="link",
                                        title="Guide de câblage", url="https://eduscol.education.fr/guide")
        ScenarioFieldLabel.objects.create(establishment=establishment, diploma_code="MELEC",
                                          field=ScenarioField.CONTEXT, label="Mise en situation professionnelle")
    return scenario


def _url(scenario, extension):
    return reverse(f"tenant:scenario_export_{extension}", kwargs={"uai": scenario.establishment.uai,
                                                                  "pk": scenario.pk})


@pytest.mark.parametrize("extension", ["odt", "docx"])
def test_export_holds_title_masque_labels_codes_and_resources(scenario, author, login_as, extension):
    response = login_as(author).get(_url(scenario, extension))

    assert response.status_code == 200
    expected_name = f"scenario-cablage-dun-tableau-electrique.{extension}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    text = TEXT[extension](b"".join(response.streaming_content) if response.streaming else response.content)
    assert french("Câblage d'un tableau électrique") in text
    assert "Lycée Jean Jaurès" in text
    # The establishment's own label for « Contexte », the defaults for the other parts.
    assert "Mise en situation professionnelle" in text
    for label in ("Titre", "Liaison avec le référentiel", "Liaison avec les compétences transversales", "Ressources"):
        assert label in text
    for code in CODES:
        assert code in text, code
    assert "Prendre connaissance du dossier" in text
    assert "https://eduscol.education.fr/guide" in text
    assert "MARTIN Paul" in text
    # Line breaks and French typography survive: « urgent » ! with non-breaking spaces.
    assert "Deuxième ligne\u00a0: «\u00a0urgent\u00a0»\u202f!" in text


@pytest.mark.parametrize("extension", ["odt", "docx"])
def test_scenario_without_any_link_still_exports(establishment, version, author, login_as, extension):
    scenario = make_scenario(establishment, version, authors=[author], link=False, title="Scénario vide",
                             situation="", equipment="")

    response = login_as(author).get(_url(scenario, extension))

    assert response.status_code == 200
    text = TEXT[extension](response.content)
    assert "Scénario vide" in text
    assert "Aucune tâche liée." in text
    assert "Aucune ressource." in text
    assert "T1.1" not in text


@pytest.mark.parametrize("extension", ["odt", "docx"])
def test_long_texts_and_control_characters_render(establishment, version, author, login_as, extension):
    long_text = "Une très longue description de la situation professionnelle, avec des accents : éèàùçœ. " * 400
    scenario = make_scenario(establishment, version, authors=[author], situation=long_text + "\x0b\x01fin")

    response = login_as(author).get(_url(scenario, extension))

    assert response.status_code == 200
    text = TEXT[extension](response.content)
    assert text.count("éèàùçœ") == 400
    assert "fin" in text


def test_logo_of_the_establishment_is_printed(establishment, scenario, author, login_as):
    from django.core.files.base import ContentFile

    establishment.logo.save("logo.png", ContentFile(png_bytes()), save=True)
    client = login_as(author)

    odt = zipfile.ZipFile(io.BytesIO(client.get(_url(scenario, "odt")).content))
    docx = zipfile.ZipFile(io.BytesIO(client.get(_url(scenario, "docx")).content))

    assert any(name.startswith("Pictures/") for name in odt.namelist())
    assert any(name.startswith("word/media/") for name in docx.namelist())


def test_readers_export_but_learners_and_other_establishments_do_not(establishment, other_establishment, scenario,
                                                                    make_user, login_as):
    url = _url(scenario, "docx")
    for profile in (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR):
        user = make_user(establishment, profile, login=f"lecteur.{profile.value}")
        assert login_as(user).get(url).status_code == 200, profile
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy")
    assert login_as(learner).get(url).status_code == 403
    stranger = make_user(other_establishment, Profile.TEACHER, login="enseignant.ailleurs")
    assert login_as(stranger).get(reverse("tenant:scenario_export_docx", kwargs={
        "uai": other_establishment.uai, "pk": scenario.pk})).status_code == 404


def test_bench_command_times_both_exports_of_a_scenario_linking_40_criteria():
    import json

    from django.core.management import call_command

    from pedagogy.models import Scenario

    out = io.StringIO()
    call_command("bench_scenarios", runs=1, stdout=out)

    figures = json.loads(out.getvalue())
    assert figures["criteria"] == 40
    for extension in ("odt", "docx"):
        assert figures[extension]["median_ms"] > 0 and figures[extension]["target_ms"] == 200
        assert figures[extension]["bytes"] > 1000
    with scopes_disabled():
        assert not Scenario.objects.exists()  # built in a transaction rolled back


def test_docx_tables_keep_a_narrow_code_column_in_every_word_processor(scenario, author, login_as):
    """LibreOffice and Word lay a table out from its grid (``w:gridCol``), not from the cells' widths: the code
    column must be narrow there too, and the header row shaded as in the ODT."""
    from docx import Document

    response = login_as(author).get(_url(scenario, "docx"))
    document = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    table = document.tables[0]
    code_width, label_width = (column.width for column in table.columns)
    assert code_width * 3 < label_width
    assert 'w:fill="E6E6E6"' in table.rows[0].cells[0]._tc.xml
