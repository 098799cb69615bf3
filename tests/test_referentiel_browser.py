"""The référentiel browser: an establishment sees the diplomas it subscribes to, searches them, links to a
competency; the page reads a version in a fixed number of queries."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from pedagogy.models import ScenarioFieldLabel
from referentiels.models import Diploma
from referentiels.services import subscribe

from .referentiel_factory import add_transversal, make_version

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8  # issue 10: the browser page in a constant number of queries, at most 8


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


@pytest.fixture
def melec(establishment):
    version = make_version("MELEC", "2024")
    with scopes_disabled():
        subscribe(establishment, version.diploma)
    return version


@pytest.fixture
def teacher_client(establishment, make_user, login_as):
    return login_as(make_user(establishment, Profile.TEACHER, login="julien.durand"))


def url(establishment, diploma="MELEC", version="2024"):
    return f"/{establishment.uai}/referentiels/{diploma}/{version}/"


def test_an_establishment_sees_only_its_subscribed_diplomas(establishment, other_establishment, melec,
                                                            teacher_client, make_user, login_as):
    ciel = make_version("CIEL", "2023", name="Cybersécurité, informatique et réseaux, électronique")
    with scopes_disabled():
        subscribe(other_establishment, ciel.diploma)

    page = text(teacher_client.get(f"/{establishment.uai}/referentiels/"))
    assert "MELEC 2024" in page and "CIEL" not in page
    assert teacher_client.get(url(establishment, "CIEL", "2023")).status_code == 404
    assert teacher_client.get(url(establishment, "MELEC", "2016")).status_code == 404

    other = login_as(make_user(other_establishment, Profile.TEACHER, login="autre.enseignant"))
    assert "CIEL 2023" in text(other.get(f"/{other_establishment.uai}/referentiels/"))
    assert other.get(url(other_establishment)).status_code == 404


def test_without_a_subscription_the_page_says_so(establishment, teacher_client, make_user, login_as):
    make_version("MELEC", "2024")  # loaded, but the establishment does not subscribe to it
    page = text(teacher_client.get(f"/{establishment.uai}/referentiels/"))
    assert "n'est abonné à aucun diplôme" in page
    assert teacher_client.get(url(establishment)).status_code == 404
    chef = login_as(make_user(establishment, Profile.HEAD, login="chef.lycee"))
    assert "n'est abonné à aucun diplôme" in text(chef.get(f"/{establishment.uai}/referentiels/classes/"))


def test_the_tree_shows_each_competency_with_criteria_tasks_and_anchor(establishment, melec, teacher_client):
    with scopes_disabled():
        family = make_version("2TNE", "2024", name="Transitions numérique et énergétique", tasks=[],
                              competencies=[])
    add_transversal(melec, family, "C1", "CC1", "Communiquer avec les clients")
    page = text(teacher_client.get(url(establishment)))
    assert 'id="C7"' in page and 'id="T2.3"' in page
    c7 = page[page.index('id="C7"'):]
    c7 = c7[:c7.index("</article>")]
    assert "Réaliser un équipement électrique" in c7
    assert "<li>Les règles de l'art sont respectées</li><li>Le matériel est mis en œuvre</li>" in c7
    assert 'href="#T2.3"' in c7 and "Première, Terminale" in c7
    assert 'title="Communiquer avec les clients">CC1' in page


def test_search_ignores_accents_and_case_and_links_to_the_task(establishment, melec, teacher_client):
    page = text(teacher_client.get(url(establishment), {"q": "RACCORDÉ"}))  # the label says « Raccorder »
    assert "1 résultat pour « RACCORDÉ »" in page
    results = page[page.index('data-testid="resultats"'):page.index("</ul>", page.index('data-testid="resultats"'))]
    assert f'href="{url(establishment)}#T2.3"' in results
    assert "C1" not in results
    page = text(teacher_client.get(url(establishment), {"q": "regles de l'art"}))  # a criterion, no accent
    assert f'href="{url(establishment)}#C7"' in page
    assert "Aucune tâche ni compétence" in text(teacher_client.get(url(establishment), {"q": "plomberie"}))


def test_filters_by_class_level_and_block(establishment, melec, teacher_client):
    page = text(teacher_client.get(url(establishment), {"niveau": "TLE"}))
    assert 'id="C7"' in page  # Première and Terminale
    assert 'id="C1"' in page  # every level
    assert 'id="T2.3"' not in page  # Première only
    page = text(teacher_client.get(url(establishment), {"bloc": "B1"}))
    assert 'id="T2.3"' in page and 'id="C7"' in page
    page = text(teacher_client.get(url(establishment), {"bloc": "B9", "niveau": "XX"}))  # unknown: ignored
    assert 'id="T2.3"' in page
    page = text(teacher_client.get(url(establishment), {"bloc": "B9", "q": "raccorder"}))  # the search still applies
    assert 'id="T2.3"' in page and 'id="T1.1"' not in page


def _queries(client, path) -> int:
    """The statements of one page, everything but the session's renewal (every page of a signed-in user writes
    its session, for the idle timeout: an UPDATE between two savepoints)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    renewal = [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"] or
               q["sql"].startswith('UPDATE "django_session"')]
    assert len(renewal) <= 3
    return len(queries) - len(renewal)


def test_the_page_reads_a_version_in_a_constant_number_of_queries(establishment, melec, teacher_client):
    one = _queries(teacher_client, url(establishment))
    # Many more diplomas subscribed, a bigger tree: the same number of queries.
    with scopes_disabled():
        for n in range(5):
            version = make_version(f"DIP{n}", "2020", tasks=[(f"T{i}", f"Tâche {i}", ["C1"], []) for i in range(30)])
            subscribe(establishment, version.diploma)
    assert _queries(teacher_client, url(establishment, "DIP3", "2020")) == one
    assert one <= MAX_QUERIES


def test_the_menu_offers_the_browser_to_pedagogical_profiles(establishment, melec, make_user, login_as):
    for profile, sees in [(Profile.TEACHER, True), (Profile.DDFPT, True), (Profile.INSPECTOR, True),
                          (Profile.LEARNER, False), (Profile.ADMIN, False)]:
        client = login_as(make_user(establishment, profile, login=f"menu.{profile.value}"))
        home = text(client.get(f"/{establishment.uai}/"))
        assert (f'href="/{establishment.uai}/referentiels/"' in home) is sees, profile
        expected = 200 if sees else 403
        assert client.get(url(establishment)).status_code == expected, profile


# Masque de saisie: the subscribed diplomas only --------------------------------------------------------------


def test_the_form_mask_lists_the_subscribed_diplomas(establishment, melec, make_user, login_as):
    make_version("CIEL", "2023", name="Cybersécurité")  # loaded, not subscribed
    admin = login_as(make_user(establishment, Profile.ADMIN, login="admin.lycee"))
    page = text(admin.get(f"/{establishment.uai}/parametres/masque-de-saisie/"))
    assert '<option value="MELEC" selected>' in page and 'value="CIEL"' not in page
    response = admin.post(f"/{establishment.uai}/parametres/masque-de-saisie/", {"diplome": "CIEL", "title": "x"})
    assert response.status_code == 400 and "Ce diplôme est inconnu" in text(response)
    with scopes_disabled():
        assert not ScenarioFieldLabel.objects.exists()


def test_the_form_mask_without_subscription_says_so(establishment, make_user, login_as):
    admin = login_as(make_user(establishment, Profile.ADMIN, login="admin.lycee"))
    response = admin.get(f"/{establishment.uai}/parametres/masque-de-saisie/")
    assert response.status_code == 200
    assert "n'est abonné à aucun diplôme" in text(response)
    assert not Diploma.objects.exists()


def test_the_shipped_melec_2024_page_with_one_and_with_every_shipped_diploma(establishment, teacher_client):
    from referentiels.loader import load_files
    from referentiels.shipped import shipped_files

    load_files(shipped_files())
    with scopes_disabled():
        subscribe(establishment, Diploma.objects.get(code="MELEC"))
    one = _queries(teacher_client, url(establishment, "MELEC", "2024"))
    with scopes_disabled():
        for diploma in Diploma.objects.all():
            subscribe(establishment, diploma)
    every = _queries(teacher_client, url(establishment, "MELEC", "2024"))
    assert one == every <= MAX_QUERIES

    page = text(teacher_client.get(url(establishment, "MELEC", "2024"), {"q": "raccorder"}))
    assert f'href="{url(establishment, "MELEC", "2024")}#T2.3"' in page
    page = text(teacher_client.get(url(establishment, "MELEC", "2016")))
    assert 'id="T1-1"' in page  # the 2016 codes as published


def test_the_platform_staff_subscribe_an_establishment_in_the_console(establishment, teacher_client):
    from django.test import Client

    from accounts.models import User
    from referentiels.establishment_models import Subscription

    from .conftest import PASSWORD

    version = make_version("CIEL", "2023", name="Cybersécurité, informatique et réseaux, électronique")
    with scopes_disabled():
        User.objects.create_superuser("ops", PASSWORD, last_name="Service technique")
    console = Client()
    console.post("/plateforme/login/", {"username": "ops", "password": PASSWORD})
    change_url = f"/plateforme/establishments/establishment/{establishment.pk}/change/"
    page = console.get(change_url).content.decode()
    assert "Abonnements aux diplômes" in page
    form = {"uai": establishment.uai, "name": establishment.name, "email": establishment.email,
            "is_active": "on", "subscription_set-TOTAL_FORMS": "1", "subscription_set-INITIAL_FORMS": "0",
            "subscription_set-0-diploma": version.diploma.pk, "subscription_set-0-establishment": establishment.pk}
    response = console.post(change_url, form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    with scopes_disabled():
        assert list(Subscription.objects.values_list("establishment__uai", "diploma__code")) == [
            (establishment.uai, "CIEL")]
    assert "CIEL 2023" in text(teacher_client.get(f"/{establishment.uai}/referentiels/"))


def test_a_teacher_finds_the_diploma_of_each_of_their_classes(establishment, melec, make_user, login_as):
    from establishments.models import Division
    from referentiels.establishment_models import Cohort

    with scopes_disabled():
        taught = Division.objects.create(establishment=establishment, code="2MELEC1")
        other = Division.objects.create(establishment=establishment, code="1CIEL1")
        for division in (taught, other):
            Cohort.objects.create(establishment=establishment, division=division, version=melec, class_level="2NDE")
    teacher = make_user(establishment, Profile.TEACHER, login="julien.durand")
    teacher.divisions_taught.add(taught)
    page = text(login_as(teacher).get(f"/{establishment.uai}/referentiels/"))
    assert f'2MELEC1 : <a href="{url(establishment)}">MELEC 2024</a> (Seconde)' in page
    assert "1CIEL1" not in page
