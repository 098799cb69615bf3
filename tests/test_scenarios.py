"""Scénarios pédagogiques (issue 11): who reads and writes, validation, concurrency, duplicate, share and import,
double clicks, delete refused while used, constant queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from establishments.scoping import scopes_disabled
from pedagogy import scenario_uses
from pedagogy.models import Scenario, ScenarioFieldLabel, ScenarioResource, ScenarioShare
from referentiels.models import Criterion
from referentiels.services import subscribe

from .referentiel_factory import add_transversal, make_version


@pytest.fixture
def melec(establishment):
    with scopes_disabled():
        version = make_version()
        subscribe(establishment, version.diploma)
    return version


@pytest.fixture
def teacher(establishment, make_user):
    return make_user(establishment, Profile.TEACHER, login="paul.martin", first_name="Paul", last_name="Martin")


@pytest.fixture
def colleague(establishment, make_user):
    return make_user(establishment, Profile.TEACHER, login="lea.roux", first_name="Léa", last_name="Roux")


def base(establishment):
    return f"/{establishment.uai}/scenarios/"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def ids(version, what):
    with scopes_disabled():
        if what == "tasks":
            return {t.code: str(t.pk) for t in version.tasks.all()}
        if what == "competencies":
            return {c.code: str(c.pk) for c in version.competencies.all()}
        return {f"{c.competency.code}.{c.position}": str(c.pk)
                for c in Criterion.objects.filter(competency__version=version).select_related("competency")}


def create(client, establishment, version, level="1RE", **data):
    payload = {"version": version.pk, "niveau": level, "title": "Câblage d'un tableau", "situation": "Le client…",
               "token": "", **data}
    return client.post(base(establishment) + "nouveau/", payload)


def scenario_of(establishment, **lookup):
    with scopes_disabled():
        return Scenario.objects.get(establishment=establishment, **lookup)


def test_a_teacher_creates_a_scenario_linked_to_the_version(establishment, melec, teacher, login_as):
    client = login_as(teacher)
    page = client.get(base(establishment) + "?diplome=MELEC&niveau=1RE")
    assert page.status_code == 200 and "Nouveau scénario" in text(page)
    with scopes_disabled():
        ScenarioFieldLabel.objects.create(establishment=establishment, diploma_code="MELEC", field="context",
                                          label="Mise en situation")
    editor = client.get(base(establishment) + f"nouveau/?version={melec.pk}&niveau=1RE")
    assert editor.status_code == 200 and "Mise en situation" in text(editor) and "T2.3" in text(editor)
    tasks, comps, crits = ids(melec, "tasks"), ids(melec, "competencies"), ids(melec, "criteria")
    response = create(client, establishment, melec, tasks=[tasks["T1.1"], tasks["T2.3"]],
                      competencies=[comps["C7"]], criteria=[crits["C7.1"]], co_intervention="on")
    assert response.status_code == 302
    scenario = scenario_of(establishment, title="Câblage d'un tableau")
    with scopes_disabled():
        assert set(scenario.tasks.values_list("code", flat=True)) == {"T1.1", "T2.3"}
        assert list(scenario.authors.all()) == [teacher] and scenario.co_intervention
    detail = client.get(response["Location"])
    assert "2 tâches, 1 compétence, 1 critère" in text(detail) and "Mise en situation" in text(detail)
    assert "Exporter en DOCX" in text(detail)  # the resources and exports (pedagogy.resources, exports) are there
    listing = client.get(base(establishment) + "?diplome=MELEC&niveau=1RE")
    assert "Câblage d&#x27;un tableau" in text(listing) and "Paul Martin" in text(listing)


def test_empty_title_and_a_code_of_another_version_are_refused_nothing_saved(establishment, melec, teacher,
                                                                            login_as):
    with scopes_disabled():
        old = make_version(version_code="2016", tasks=[("T1-1", "Ancienne tâche", ["C1"], [])])
    client = login_as(teacher)
    response = create(client, establishment, melec, title="  ")
    assert response.status_code == 400 and "Donnez un titre au scénario." in text(response)
    response = create(client, establishment, melec, tasks=[ids(old, "tasks")["T1-1"]])
    assert response.status_code == 400
    assert "La tâche T1-1 (MELEC 2016) n&#x27;appartient pas au référentiel MELEC 2024" in text(response)
    with scopes_disabled():
        assert not Scenario.objects.exists()


def test_permissions_per_profile(establishment, melec, teacher, colleague, make_user, login_as):
    client = login_as(teacher)
    create(client, establishment, melec, co_authors=[colleague.pk])
    scenario = scenario_of(establishment)
    other = make_user(establishment, Profile.TEACHER, login="marc.blanc")
    url = base(establishment) + f"{scenario.pk}/"
    edit = url + "modifier/"
    # the co-author edits, the other teacher reads only
    assert login_as(colleague).get(edit).status_code == 200
    other_client = login_as(other)
    assert other_client.get(url).status_code == 200
    assert other_client.get(edit).status_code == 404
    assert other_client.post(edit, {"title": "Pris", "revision": 1}).status_code == 404
    assert "Modifier" not in text(other_client.get(url)).split("<h1>")[1].split("Dupliquer")[0]
    for profile in (Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR):
        reader = login_as(make_user(establishment, profile, login=f"lecteur.{profile}"))
        assert reader.get(url).status_code == 200
        assert reader.get(base(establishment) + "?diplome=MELEC&niveau=1RE").status_code == 200
        assert reader.post(edit, {"title": "Pris", "revision": 1}).status_code in (403, 404)
        assert reader.get(base(establishment) + f"nouveau/?version={melec.pk}&niveau=1RE").status_code == 403
    learner = login_as(make_user(establishment, Profile.LEARNER, login="ines.leroy"))
    assert learner.get(url).status_code == 403 and learner.get(base(establishment)).status_code == 403
    assert scenario_of(establishment).title == "Câblage d'un tableau"


def test_a_stale_save_is_refused_and_says_what_changed(establishment, melec, teacher, colleague, login_as):
    first = login_as(teacher)
    create(first, establishment, melec, co_authors=[colleague.pk])
    scenario = scenario_of(establishment)
    edit = base(establishment) + f"{scenario.pk}/modifier/"
    second = login_as(colleague)
    assert second.post(edit, {"title": "Titre de Léa", "revision": 1, "co_authors": [colleague.pk]}).status_code == 302
    stale = first.post(edit, {"title": "Titre de Paul", "revision": 1, "situation": "Le client…"})
    assert stale.status_code == 409
    assert "modifié par Léa Roux" in text(stale)
    assert "Titre, désormais « Titre de Léa »" in text(stale).replace("&#x27;", "'")
    assert scenario_of(establishment).title == "Titre de Léa"
    assert scenario_of(establishment).revision == 2


def test_duplicate_keeps_the_version_and_links_for_another_level(establishment, melec, teacher, colleague,
                                                                 login_as):
    create(login_as(teacher), establishment, melec, tasks=list(ids(melec, "tasks").values()),
           criteria=list(ids(melec, "criteria").values()))
    scenario = scenario_of(establishment)
    with scopes_disabled():
        ScenarioResource.objects.create(establishment=establishment, scenario=scenario, kind="link",
                                        title="Norme", url="https://example.org/norme")
    client = login_as(colleague)  # any teacher may duplicate; the copy is theirs
    payload = {"class_level": "TLE", "token": "abc"}
    first = client.post(base(establishment) + f"{scenario.pk}/dupliquer/", payload)
    again = client.post(base(establishment) + f"{scenario.pk}/dupliquer/", payload)  # double click
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    copy = scenario_of(establishment, class_level="TLE")
    with scopes_disabled():
        assert copy.version_id == melec.pk and list(copy.authors.all()) == [colleague]
        assert set(copy.tasks.all()) == set(scenario.tasks.all())
        assert set(copy.criteria.all()) == set(scenario.criteria.all())
        assert [r.url for r in copy.resources.all()] == ["https://example.org/norme"]
        assert Scenario.objects.count() == 2


def test_double_click_on_create_makes_one_scenario(establishment, melec, teacher, login_as):
    client = login_as(teacher)
    first = create(client, establishment, melec, token="jeton-1")
    second = create(client, establishment, melec, token="jeton-1")
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert Scenario.objects.count() == 1


def test_delete_after_confirmation_refused_while_used(establishment, melec, teacher, login_as):
    client = login_as(teacher)
    create(client, establishment, melec)
    scenario = scenario_of(establishment)
    url = base(establishment) + f"{scenario.pk}/supprimer/"
    previous = scenario_uses._uses.get("evaluations")  # the real use (grids), put back afterwards
    scenario_uses.register_scenario_use("evaluations", "évaluation(s)", lambda ids: {scenario.pk: 2})
    try:
        assert "utilisé par 2 évaluation(s)" in text(client.get(url))
        client.post(url)
        assert scenario_of(establishment).pk == scenario.pk
        listing = client.get(base(establishment) + "?diplome=MELEC&niveau=1RE")
        assert re.search(r"<td>0</td><td>0</td><td>2</td>", text(listing).replace("> <", "><"))
    finally:
        scenario_uses.unregister_scenario_use("evaluations")
        if previous is not None:
            scenario_uses.register_scenario_use(previous.key, previous.label, previous.count)
    assert "définitivement" in text(client.get(url))
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert not Scenario.objects.exists()


def test_share_checks_the_uai_then_the_receiver_imports_a_copy_once(establishment, other_establishment, melec,
                                                                     teacher, make_user, login_as):
    with scopes_disabled():
        transversal_version = make_version("2TNE", "2021", tasks=[], competencies=[])
        add_transversal(melec, transversal_version)
    client = login_as(teacher)
    create(client, establishment, melec, tasks=[ids(melec, "tasks")["T2.3"]])
    scenario = scenario_of(establishment)
    with scopes_disabled():
        scenario.transversal_competencies.set(transversal_version.competencies.all())
        ScenarioResource.objects.create(establishment=establishment, scenario=scenario, kind="link",
                                        title="Norme", url="https://example.org/norme")
    url = base(establishment) + f"{scenario.pk}/partager/"
    for uai, message in [("123", "7 chiffres suivis d&#x27;une lettre"),
                         ("0750654A", "la lettre de contrôle devrait être D"),
                         ("0010001W", "Aucun établissement utilisant CPro"),
                         (other_establishment.uai, "n&#x27;est pas abonné au diplôme MELEC")]:
        response = client.post(url, {"uai": uai})
        assert response.status_code == 400 and message in text(response), uai
    with scopes_disabled():
        assert not ScenarioShare.objects.exists()
        subscribe(other_establishment, melec.diploma)
    assert client.post(url, {"uai": other_establishment.uai.lower()}).status_code == 302
    receiver = login_as(make_user(other_establishment, Profile.TEACHER, login="julie.morel"))
    received = receiver.get(f"/{other_establishment.uai}/scenarios/recus/")
    assert "Câblage d&#x27;un tableau" in text(received) and establishment.uai in text(received)
    with scopes_disabled():
        share = ScenarioShare.objects.get()
    import_url = f"/{other_establishment.uai}/scenarios/recus/{share.pk}/importer/"
    first, second = receiver.post(import_url), receiver.post(import_url)
    assert first["Location"] == second["Location"]
    copy = scenario_of(other_establishment)
    with scopes_disabled():
        assert Scenario.objects.filter(establishment=other_establishment).count() == 1
        assert copy.version_id == melec.pk and copy.origin_uai == establishment.uai
        assert [t.code for t in copy.tasks.all()] == ["T2.3"]
        assert list(copy.transversal_competencies.all()) == list(scenario.transversal_competencies.all())
        assert [r.url for r in copy.resources.all()] == ["https://example.org/norme"]
        assert copy.created_by.establishment_id == other_establishment.pk
    assert f"Reçu de l'établissement {establishment.uai}" in text(receiver.get(first["Location"]))
    # the sender's scenario stays out of reach
    assert receiver.get(f"/{other_establishment.uai}/scenarios/{scenario.pk}/").status_code == 404


def add_scenarios(establishment, version, teacher, number):
    with scopes_disabled():
        tasks, criteria = list(version.tasks.all()), list(Criterion.objects.filter(competency__version=version))
        for n in range(number):
            scenario = Scenario.objects.create(establishment=establishment, version=version, class_level="1RE",
                                               title=f"Scénario {n}")
            scenario.authors.add(teacher)
            scenario.tasks.set(tasks)
            scenario.criteria.set(criteria)
        return scenario


def queries_of(client, url) -> int:
    client.get(url)  # the session's renewal and caches out of the way
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_reads_in_constant_queries_with_3_or_300_scenarios(establishment, melec, teacher, login_as):
    client = login_as(teacher)
    url = base(establishment) + "?diplome=MELEC&niveau=1RE"
    add_scenarios(establishment, melec, teacher, 3)
    with_3 = queries_of(client, url)
    add_scenarios(establishment, melec, teacher, 297)
    assert queries_of(client, url) == with_3 and "300 scénarios" in text(client.get(url))


def test_the_editor_and_the_scenario_page_read_in_constant_queries(establishment, melec, teacher, login_as):
    client = login_as(teacher)
    scenario = add_scenarios(establishment, melec, teacher, 3)
    edit, detail = base(establishment) + f"{scenario.pk}/modifier/", base(establishment) + f"{scenario.pk}/"
    counts = queries_of(client, edit), queries_of(client, detail)
    add_scenarios(establishment, melec, teacher, 297)
    with scopes_disabled():
        scenario.competencies.set(melec.competencies.all())
    assert (queries_of(client, edit), queries_of(client, detail)) == counts

@pytest.mark.django_db
def test_the_demo_teacher_finds_a_year_of_melec_2024_scenarios():
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    from accounts.management.commands.demo import DEMO_PASSWORD
    from referentiels.loader import load_files
    from referentiels.shipped import shipped_files

    load_files(shipped_files())
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    call_command("demo", "--json", stdout=StringIO())  # idempotent
    users = json.loads(out.getvalue())["establishments"][0]["users"]
    login = next(u["login"] for u in users if u["profile"] == "enseignant")
    client = Client()
    assert client.post("/0750654D/connexion/", {"username": login, "password": DEMO_PASSWORD}).status_code == 302
    with scopes_disabled():
        scenarios = Scenario.objects.filter(establishment__uai="0750654D")
        assert scenarios.count() == 9 and {s.class_level for s in scenarios} == {"2NDE", "1RE", "TLE"}
        assert all(s.version.label == "MELEC 2024" and s.tasks.exists() and s.criteria.exists() for s in scenarios)
    page = text(client.get("/0750654D/scenarios/?diplome=MELEC&niveau=2NDE"))
    assert "Câblage d&#x27;un va-et-vient dans un logement" in page and "4 scénarios" in page


def test_the_editor_searches_the_version_without_javascript(establishment, melec, teacher, login_as):
    client = login_as(teacher)
    page = text(client.get(base(establishment) + f"nouveau/?version={melec.pk}&niveau=1RE&q=raccorder"))
    shown = re.findall(r'<li data-cpro-item="([^"]*)"(?! hidden)>', page)
    assert [item.split()[0] for item in shown] == ["T2.3"]
    page = text(client.get(base(establishment) + f"nouveau/?version={melec.pk}&niveau=1RE&q=REGLES de l%27art"))
    assert [item.split()[0] for item in re.findall(r'<li data-cpro-item="([^"]*)"(?! hidden)>', page)] == ["C7"]


def test_the_list_opens_on_the_level_of_the_classes_the_teacher_teaches(establishment, melec, teacher, colleague,
                                                                         login_as):
    from establishments.models import Division
    from referentiels.establishment_models import Cohort

    with scopes_disabled():
        for code, level in [("1MELEC-A", "1RE"), ("1MELEC-B", "1RE"), ("TMELEC", "TLE")]:
            division = Division.objects.create(establishment=establishment, code=code)
            Cohort.objects.create(establishment=establishment, division=division, version=melec, class_level=level)
            teacher.divisions_taught.add(division)
        Scenario.objects.create(establishment=establishment, version=melec, class_level="1RE",
                                title="Câblage d'un tableau de première")

    page = text(login_as(teacher).get(base(establishment)))
    assert "Câblage d&#x27;un tableau de première" in page  # most of the teacher's classes are in première
    # a teacher without classes still chooses the level first
    assert "Câblage d&#x27;un tableau de première" not in text(login_as(colleague).get(base(establishment)))
