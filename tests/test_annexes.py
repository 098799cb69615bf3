"""Annexes pédagogiques (issue 13): the guide's rules — title required, school and apprentice annexes told apart,
edit, duplicate for the same level, delete after confirmation keeping the periods made from it — and who may."""

import re

import pytest

from accounts.models import Profile
from establishments.models import AuditEntry
from establishments.scoping import scopes_disabled
from periods.models import PedagogicalAnnex, WorkPeriod

from . import periods_factory as f


@pytest.fixture
def version(establishment):
    return f.melec(establishment)


@pytest.fixture
def ddfpt(establishment, make_user):
    return make_user(establishment, Profile.DDFPT, first_name="Nadia", last_name="Benali")


def base(establishment):
    return f"/{establishment.uai}/pfmp/"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def task_ids(version, *codes):
    with scopes_disabled():
        return [str(t.pk) for t in version.tasks.filter(code__in=codes)]


def annexes(establishment):
    with scopes_disabled():
        return list(PedagogicalAnnex.objects.filter(establishment=establishment).order_by("id"))


def create(client, establishment, version, **data):
    payload = {"version": version.pk, "niveau": "2NDE", "title": "PFMP 1 — Découverte", "for_apprentices": "non",
               "objectives": "Découvrir l'entreprise", "tasks": task_ids(version, "T1.1", "T1.2"), "token": "t1",
               **data}
    return client.post(base(establishment) + "annexe/nouvelle/", payload)


def test_the_ddfpt_creates_an_annex_with_its_tasks_grouped_by_activity(establishment, version, ddfpt, login_as):
    client = login_as(ddfpt)
    form = client.get(base(establishment) + f"annexe/nouvelle/?version={version.pk}&niveau=2NDE")
    assert form.status_code == 200
    page = text(form)
    assert "A1 — Réalisation" in page and "T1.2 : Rechercher et expliquer les informations" in page
    response = create(client, establishment, version)
    assert response.status_code == 302
    [annex] = annexes(establishment)
    with scopes_disabled():
        assert sorted(annex.tasks.values_list("code", flat=True)) == ["T1.1", "T1.2"]
    assert annex.class_level == "2NDE" and not annex.for_apprentices
    listing = text(client.get(response["Location"]))
    assert "PFMP 1 — Découverte" in listing and "Scolaires" in listing and "Déclarer une PFMP" in listing


def test_the_title_is_required_and_nothing_is_saved_without_it(establishment, version, ddfpt, login_as):
    response = create(login_as(ddfpt), establishment, version, title="   ")
    assert response.status_code == 400
    assert "Le titre de l&#x27;annexe est obligatoire." in text(response)
    assert annexes(establishment) == []


def test_a_task_of_another_referentiel_is_refused(establishment, version, ddfpt, login_as):
    other = f.melec(establishment, diploma_code="CIEL")
    response = create(login_as(ddfpt), establishment, version, tasks=task_ids(other, "T1.1"))
    assert response.status_code == 400 and "n&#x27;appartient pas au référentiel" in text(response)
    assert annexes(establishment) == []


def test_a_double_click_creates_one_annex(establishment, version, ddfpt, login_as):
    client = login_as(ddfpt)
    assert create(client, establishment, version).status_code == 302
    assert create(client, establishment, version).status_code == 302
    assert len(annexes(establishment)) == 1


def test_apprentice_annexes_are_told_apart_by_a_word_not_only_a_colour(establishment, version, ddfpt, login_as):
    f.annex(establishment, version, title="Annexe app 01", apprentices=True)
    f.annex(establishment, version, title="PFMP Scolaire")
    page = text(login_as(ddfpt).get(base(establishment) + "?diplome=MELEC&niveau=2NDE"))
    assert "Apprentis</span>" in page and "Scolaires</span>" in page
    assert "Déclarer une période employeur" in page and "Déclarer une PFMP" in page


def test_editing_an_annex_changes_its_title_kind_and_tasks(establishment, version, ddfpt, login_as):
    annex = f.annex(establishment, version)
    response = login_as(ddfpt).post(base(establishment) + f"annexe/{annex.pk}/modifier/", {
        "title": "Annexe apprentis", "for_apprentices": "oui", "objectives": "Tenir un poste",
        "tasks": task_ids(version, "T2.3")})
    assert response.status_code == 302
    with scopes_disabled():
        annex.refresh_from_db()
        assert annex.title == "Annexe apprentis" and annex.for_apprentices
        assert list(annex.tasks.values_list("code", flat=True)) == ["T2.3"]


def test_duplicating_keeps_the_same_level_and_leaves_the_original(establishment, version, ddfpt, login_as):
    annex = f.annex(establishment, version, tasks=("T1.1", "T1.2"))
    client = login_as(ddfpt)
    form = client.get(base(establishment) + f"annexe/{annex.pk}/dupliquer/")
    assert "Copie de PFMP 1 — Découverte" in text(form)
    payload = {"title": "PFMP 2", "for_apprentices": "non", "objectives": "Autre",
               "tasks": task_ids(version, "T1.1"), "token": "dup-1",
               "niveau": "TLE", "version": "999"}  # a level in the request is ignored: a copy keeps the level
    assert client.post(base(establishment) + f"annexe/{annex.pk}/dupliquer/", payload).status_code == 302
    assert client.post(base(establishment) + f"annexe/{annex.pk}/dupliquer/", payload).status_code == 302
    original, copy = annexes(establishment)
    assert copy.title == "PFMP 2" and copy.class_level == "2NDE" and copy.version_id == version.pk
    with scopes_disabled():
        assert list(copy.tasks.values_list("code", flat=True)) == ["T1.1"]
        assert sorted(original.tasks.values_list("code", flat=True)) == ["T1.1", "T1.2"]


def test_deleting_an_annex_asks_first_and_keeps_its_periods(establishment, version, ddfpt, login_as):
    annex = f.annex(establishment, version)
    learner = f.learners(establishment, f.cohort(establishment, version), 1)
    period = f.period(establishment, version, learner, the_annex=annex)
    client = login_as(ddfpt)
    confirm = text(client.get(base(establishment) + f"annexe/{annex.pk}/supprimer/"))
    assert "ne sont pas supprimées" in confirm
    assert annexes(establishment) == [annex]  # a GET deletes nothing
    assert client.post(base(establishment) + f"annexe/{annex.pk}/supprimer/").status_code == 302
    assert annexes(establishment) == []
    with scopes_disabled():
        period.refresh_from_db()
        assert period.annex is None and period.placements.count() == 1
        assert AuditEntry.objects.filter(establishment=establishment, action="annex.delete").exists()
    page = text(client.get(base(establishment) + "?diplome=MELEC&niveau=2NDE"))
    assert "PFMP 1" in page and "annexe supprimée" in page


def test_annexes_are_kept_from_year_to_year(establishment, version, ddfpt, login_as):
    """An annex has no school year: the list of a level shows it whatever the year."""
    f.annex(establishment, version, title="Annexe de l'an dernier")
    page = text(login_as(ddfpt).get(base(establishment) + "?diplome=MELEC&niveau=2NDE"))
    assert "Annexe de l&#x27;an dernier" in page


@pytest.mark.parametrize("profile,status", [(Profile.TEACHER, 302), (Profile.INSPECTOR, 403), (Profile.LEARNER, 403),
                                            (Profile.GUARDIAN, 403)])
def test_who_may_write_an_annex(establishment, version, make_user, login_as, profile, status):
    user = make_user(establishment, profile)
    assert create(login_as(user), establishment, version).status_code == status
    assert len(annexes(establishment)) == (1 if status == 302 else 0)


def test_another_establishment_cannot_reach_an_annex(establishment, other_establishment, version, make_user,
                                                     login_as):
    annex = f.annex(establishment, version)
    intruder = make_user(other_establishment, Profile.DDFPT, login="ddfpt.autre")
    client = login_as(intruder)
    for suffix in ("modifier/", "dupliquer/", "supprimer/", "declarer/"):
        assert client.post(f"/{other_establishment.uai}/pfmp/annexe/{annex.pk}/{suffix}",
                           {"title": "x"}).status_code == 404
    assert annexes(establishment) == [annex]
    with scopes_disabled():
        assert not WorkPeriod.objects.exists()


def test_a_teacher_opens_on_the_level_they_teach(establishment, version, make_user, login_as):
    f.annex(establishment, version, level="1RE", title="Annexe de première")
    teacher = make_user(establishment, Profile.TEACHER)
    with scopes_disabled():
        teacher.divisions_taught.add(f.cohort(establishment, version, "1MELEC1", level="1RE"))
    page = text(login_as(teacher).get(base(establishment)))
    assert "MELEC — Première" in page and "Annexe de première" in page


def test_the_ddfpt_opens_where_the_last_annex_or_period_was_made(establishment, version, ddfpt, login_as):
    """Not on the first diploma of the list when the work is on another: « Aucune annexe » would mislead."""
    f.melec(establishment, diploma_code="AAAA")  # first in the list, nothing on it
    client = login_as(ddfpt)
    assert "AAAA — Seconde" in text(client.get(base(establishment)))  # nothing anywhere: the first diploma
    f.annex(establishment, version, level="1RE", title="Annexe de première")
    page = text(client.get(base(establishment)))
    assert "MELEC — Première" in page and "Annexe de première" in page
    f.period(establishment, version, [], level="TLE", title="PFMP de terminale")  # a period beats an annex
    page = text(client.get(base(establishment)))
    assert "MELEC — Terminale" in page and "PFMP de terminale" in page
