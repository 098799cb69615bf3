"""PFMP and périodes employeur (issue 13): declared by the DDFPT from an annex for a whole level in three steps,
activities copied and editable without changing the annex, a double click creates one period, bad dates and
overlaps refused, deletion says exactly what is lost, who may see what, constant queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import learner_data
from accounts.models import Profile
from establishments.models import AuditEntry
from establishments.scoping import scopes_disabled
from periods import uses
from periods.models import PedagogicalAnnex, Placement, WeeksMinimum, WorkPeriod

from . import periods_factory as f


@pytest.fixture
def version(establishment):
    return f.melec(establishment)


@pytest.fixture
def classes(establishment, version):
    """Two classes of seconde (3 and 2 learners) and a class of première (1 learner)."""
    first, second = f.cohort(establishment, version, "2MELEC1"), f.cohort(establishment, version, "2MELEC2")
    premiere = f.cohort(establishment, version, "1MELEC1", level="1RE")
    return {"2MELEC1": f.learners(establishment, first, 3), "2MELEC2": f.learners(establishment, second, 2),
            "1MELEC1": f.learners(establishment, premiere, 1)}


@pytest.fixture
def annex(establishment, version):
    f.school_year(establishment)
    return f.annex(establishment, version, tasks=("T1.1", "T1.2"))


@pytest.fixture
def ddfpt(establishment, make_user):
    return make_user(establishment, Profile.DDFPT, first_name="Nadia", last_name="Benali")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(establishment, path=""):
    return f"/{establishment.uai}/pfmp/{path}"


def task_ids(version, *codes):
    with scopes_disabled():
        return [str(t.pk) for t in version.tasks.filter(code__in=codes)]


def year_pk(establishment):
    return f.school_year(establishment).pk


def declare(client, establishment, annex, people, **data):
    payload = {"school_year": year_pk(establishment), "title": "PFMP 1", "start_date": "2026-11-16",
               "end_date": "2026-12-04", "objectives": "Découvrir", "learners": [str(u.pk) for u in people],
               "tasks": task_ids(annex.version, "T1.1"), "token": "tok-1", "then": "quitter", **data}
    return client.post(url(establishment, f"annexe/{annex.pk}/declarer/"), payload)


def periods(establishment):
    with scopes_disabled():
        return list(WorkPeriod.objects.filter(establishment=establishment).order_by("id"))


def test_the_form_has_three_steps_every_learner_of_the_level_ticked_grouped_by_class(
        establishment, classes, annex, ddfpt, login_as):
    page = text(login_as(ddfpt).get(url(establishment, f"annexe/{annex.pk}/declarer/")))
    for step in ("1. Informations", "2. Choix des apprenants", "3. Choix des activités prévues en entreprise"):
        assert step in page
    assert "Classe 2MELEC1 (3)" in page and "Classe 2MELEC2 (2)" in page and "1MELEC1" not in page
    assert page.count('name="learners"') == 5 and page.count('name="learners" value') == 5
    assert len(re.findall(r'name="learners" value="\d+" id="apprenant-\d+" checked', page)) == 5
    assert ">Tous</button>" in page and ">Aucun</button>" in page
    assert 'value="PFMP 1 — Découverte"' in page  # the title defaults to the annex's
    assert "Découvrir l&#x27;entreprise." in page  # and so do the objectives
    assert len(re.findall(r'name="tasks" value="\d+" id="tache-\d+" checked', page)) == 2


def test_one_period_for_the_whole_level_never_one_per_class(establishment, classes, annex, ddfpt, login_as):
    chosen = classes["2MELEC1"] + classes["2MELEC2"][:1]
    response = declare(login_as(ddfpt), establishment, annex, chosen)
    assert response.status_code == 302 and "niveau=2NDE" in response["Location"]
    [period] = periods(establishment)
    with scopes_disabled():
        placed = set(Placement.objects.filter(period=period).values_list("learner_id", flat=True))
        assert placed == {u.pk for u in chosen}
        assert period.kind == WorkPeriod.Kind.PFMP and period.class_level == "2NDE" and period.annex == annex
        assert Placement.objects.get(learner=chosen[0]).days_planned == 15  # three weeks of working days
        assert AuditEntry.objects.filter(establishment=establishment, action="period.create").count() == 1


def test_an_apprentice_annex_declares_a_periode_employeur(establishment, version, classes, ddfpt, login_as):
    f.school_year(establishment)
    apprentices = f.annex(establishment, version, title="Annexe apprentis", apprentices=True)
    assert declare(login_as(ddfpt), establishment, apprentices, classes["2MELEC1"]).status_code == 302
    assert periods(establishment)[0].kind == WorkPeriod.Kind.EMPLOYER


def test_activities_edited_on_the_period_do_not_change_the_annex(establishment, classes, annex, ddfpt, login_as):
    client = login_as(ddfpt)
    declare(client, establishment, annex, classes["2MELEC1"], tasks=task_ids(annex.version, "T2.3"))
    [period] = periods(establishment)
    with scopes_disabled():
        assert list(period.tasks.values_list("code", flat=True)) == ["T2.3"]
        assert sorted(PedagogicalAnnex.objects.get(pk=annex.pk).tasks.values_list("code", flat=True)) == [
            "T1.1", "T1.2"]
    edit = client.post(url(establishment, f"periode/{period.pk}/modifier/"), {
        "title": "PFMP 1 bis", "start_date": "2026-11-16", "end_date": "2026-12-04", "objectives": "",
        "tasks": task_ids(annex.version, "T1.2", "T2.3")})
    assert edit.status_code == 302
    with scopes_disabled():
        assert sorted(period.tasks.values_list("code", flat=True)) == ["T1.2", "T2.3"]
        assert sorted(annex.tasks.values_list("code", flat=True)) == ["T1.1", "T1.2"]
        assert set(Placement.objects.values_list("period_title", flat=True)) == {"PFMP 1 bis"}


def test_a_double_click_on_creer_creates_one_period(establishment, classes, annex, ddfpt, login_as):
    client = login_as(ddfpt)
    first = declare(client, establishment, annex, classes["2MELEC1"])
    second = declare(client, establishment, annex, classes["2MELEC1"])
    assert first.status_code == second.status_code == 302
    assert len(periods(establishment)) == 1
    with scopes_disabled():
        assert Placement.objects.count() == 3


def test_creer_et_aller_au_portfolio_goes_to_the_portfolio_of_the_period(establishment, classes, annex, ddfpt,
                                                                         login_as):
    response = declare(login_as(ddfpt), establishment, annex, classes["2MELEC1"], then="portfolio")
    [period] = periods(establishment)
    assert response["Location"] == reverse("tenant:portfolio_period",
                                           kwargs={"uai": establishment.uai, "period_pk": period.pk})


@pytest.mark.parametrize("data,message", [
    ({"start_date": "2026-08-20"}, "doit se situer dans l&#x27;année scolaire 2026-2027"),
    ({"end_date": "2027-09-03"}, "doit se situer dans l&#x27;année scolaire 2026-2027"),
    ({"start_date": "2026-12-04", "end_date": "2026-11-16"}, "La date de fin doit être postérieure"),
    ({"title": ""}, "Le titre de la période est obligatoire."),
    ({"start_date": ""}, "Indiquez la date de début de la période."),
    ({"learners": []}, "Choisissez au moins un apprenant."),
])
def test_bad_input_is_refused_with_a_french_message_and_nothing_saved(establishment, classes, annex, ddfpt,
                                                                       login_as, data, message):
    response = declare(login_as(ddfpt), establishment, annex, classes["2MELEC1"], **data)
    assert response.status_code == 400 and message in text(response)
    assert periods(establishment) == []
    with scopes_disabled():
        assert not Placement.objects.exists()


def test_a_learner_of_another_level_or_a_task_of_another_version_is_refused(establishment, classes, annex, ddfpt,
                                                                              login_as):
    client = login_as(ddfpt)
    response = declare(client, establishment, annex, classes["2MELEC1"] + classes["1MELEC1"])
    assert response.status_code == 400 and "n&#x27;est pas de ce niveau" in text(response)
    other = f.melec(establishment, "CIEL")
    response = declare(client, establishment, annex, classes["2MELEC1"], tasks=task_ids(other, "T1.1"))
    assert response.status_code == 400 and "n&#x27;appartient pas au référentiel" in text(response)
    assert periods(establishment) == []


def test_a_period_overlapping_another_of_the_same_learner_is_refused(establishment, classes, annex, ddfpt,
                                                                     login_as):
    client = login_as(ddfpt)
    assert declare(client, establishment, annex, classes["2MELEC1"][:1]).status_code == 302
    response = declare(client, establishment, annex, classes["2MELEC1"], token="tok-2", start_date="2026-12-01",
                       end_date="2026-12-18")
    assert response.status_code == 400
    assert "chevauchent une autre période" in text(response) and "Nom2MELEC1000" in text(response)
    assert len(periods(establishment)) == 1
    # Other learners, or dates after the first period: accepted.
    assert declare(client, establishment, annex, classes["2MELEC1"], token="tok-3", start_date="2026-12-07",
                   end_date="2026-12-18").status_code == 302


def test_deleting_a_period_says_exactly_what_is_lost_and_the_journal_records_it(establishment, classes, annex,
                                                                                ddfpt, login_as):
    period = f.period(establishment, annex.version, classes["2MELEC1"], days_done=14)
    fiches = {period.pk: 7}
    uses.register_period_use("test_fiches", "fiche(s) activité(s)",
                             lambda ids: {pk: n for pk, n in fiches.items() if pk in ids})
    try:
        client = login_as(ddfpt)
        page = text(client.get(url(establishment, f"periode/{period.pk}/supprimer/")))
        assert "3 apprenant(s) affecté(s)" in page and "42 jour(s) effectué(s) saisi(s)" in page
        assert "7 fiche(s) activité(s)" in page
        assert len(periods(establishment)) == 1  # a GET deletes nothing
        assert client.post(url(establishment, f"periode/{period.pk}/supprimer/")).status_code == 302
    finally:
        uses.unregister_period_use("test_fiches")
    assert periods(establishment) == []
    with scopes_disabled():
        assert not Placement.objects.exists()
        entry = AuditEntry.objects.get(establishment=establishment, action="period.delete")
    assert "42 jour(s) effectué(s) saisi(s)" in str(entry.details) and "7 fiche(s)" in str(entry.details)


def test_a_period_with_nothing_entered_says_so(establishment, version, ddfpt, login_as):
    period = f.period(establishment, version, [])
    page = text(login_as(ddfpt).get(url(establishment, f"periode/{period.pk}/supprimer/")))
    assert "rien n'a encore été saisi" in page


@pytest.mark.parametrize("profile", [Profile.TEACHER, Profile.INSPECTOR])
def test_teachers_and_the_inspector_read_but_do_not_declare(establishment, classes, annex, make_user, login_as,
                                                            profile):
    period = f.period(establishment, annex.version, classes["2MELEC1"])
    client = login_as(make_user(establishment, profile))
    assert client.get(url(establishment, f"periode/{period.pk}/")).status_code == 200
    assert client.get(url(establishment, "?diplome=MELEC&niveau=2NDE")).status_code == 200
    assert "Déclarer une PFMP" not in text(client.get(url(establishment, "?diplome=MELEC&niveau=2NDE")))
    assert declare(client, establishment, annex, classes["2MELEC2"]).status_code == 403
    assert client.post(url(establishment, f"periode/{period.pk}/supprimer/")).status_code == 403
    assert len(periods(establishment)) == 1


def test_a_teacher_sees_only_the_learners_they_teach_on_a_period(establishment, classes, annex, make_user,
                                                                 login_as):
    period = f.period(establishment, annex.version, classes["2MELEC1"] + classes["2MELEC2"])
    teacher = make_user(establishment, Profile.TEACHER)
    with scopes_disabled():
        teacher.divisions_taught.add(classes["2MELEC2"][0].division)
    page = text(login_as(teacher).get(url(establishment, f"periode/{period.pk}/")))
    assert "Nom2MELEC2000" in page
    assert "Nom2MELEC1000" not in page


def test_a_learner_sees_their_own_periods_only(establishment, classes, annex, login_as):
    mine, other = classes["2MELEC1"][0], classes["2MELEC1"][1]
    f.period(establishment, annex.version, [mine], title="PFMP de Prénom0")
    f.period(establishment, annex.version, [other], title="PFMP d'un autre", start=datetime.date(2027, 1, 4),
             end=datetime.date(2027, 1, 22))
    with scopes_disabled():
        mine.set_password("Un-mot-de-passe-solide-42")
        mine.must_change_password = False
        mine.save()
    client = login_as(mine)
    response = client.get(url(establishment, "mes-periodes/"))
    assert response.status_code == 200, response
    page = text(response)
    assert "PFMP de Prénom0" in page and "PFMP d&#x27;un autre" not in page
    assert client.get(url(establishment, "")).status_code == 403
    # Each period leads to the learner's portfolio of it, which opens.
    before_link = response.content.decode().split("Mon portfolio de cette période")[0]
    portfolio = before_link.rsplit('href="', 1)[1].split('"')[0]
    assert client.get(portfolio).status_code == 200


def test_declaring_reads_a_constant_number_of_queries(establishment, version, ddfpt, login_as):
    f.school_year(establishment)
    the_annex = f.annex(establishment, version)
    counts = []
    for size, code in ((3, "2MELEC1"), (40, "2MELEC2")):
        people = f.learners(establishment, f.cohort(establishment, version, code, level="1RE"), size)
        client = login_as(ddfpt)
        with scopes_disabled():
            the_annex.class_level = "1RE"
            the_annex.save()
        client.get(url(establishment, f"annexe/{the_annex.pk}/declarer/"))  # opens the school years once
        with CaptureQueriesContext(connection) as queries:
            response = declare(client, establishment, the_annex, people, token=f"size-{size}",
                               start_date="2027-01-04" if size == 3 else "2027-02-01",
                               end_date="2027-01-22" if size == 3 else "2027-02-19")
        assert response.status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_learner_data_registry_covers_the_periods_models():
    assert learner_data.undeclared_user_links([Placement, WorkPeriod, PedagogicalAnnex, WeeksMinimum]) == {}
    assert any(entry.model is Placement for entry in learner_data.entries())


def test_the_demo_prepares_annexes_and_a_pfmp_of_the_seconde_with_days(establishment, classes, ddfpt):
    from periods.demo import DEMO_ANNEXES, load_demo_periods

    with scopes_disabled():
        load_demo_periods(establishment, {"ddfpt": ddfpt})
        load_demo_periods(establishment, {"ddfpt": ddfpt})  # loaded again: nothing doubles
        assert PedagogicalAnnex.objects.filter(establishment=establishment).count() == len(DEMO_ANNEXES)
        assert PedagogicalAnnex.objects.filter(establishment=establishment, for_apprentices=True).exists()
        [period] = WorkPeriod.objects.filter(establishment=establishment)
        assert period.class_level == "2NDE" and period.tasks.exists()
        placed = Placement.objects.filter(period=period)
        assert {p.learner_id for p in placed} == {u.pk for u in classes["2MELEC1"] + classes["2MELEC2"]}
        assert all(p.days_done for p in placed)


def test_a_learner_arrived_after_the_declaration_is_added_to_the_period(establishment, classes, annex, ddfpt,
                                                                        login_as):
    period = f.period(establishment, annex.version, classes["2MELEC1"], the_annex=annex)
    client = login_as(ddfpt)
    page = text(client.get(url(establishment, f"periode/{period.pk}/modifier/")))
    assert "Ajouter des apprenants du niveau" in page and "Nom2MELEC2000" in page and "Nom2MELEC1000" not in page
    payload = {"title": "PFMP 1", "start_date": "2026-11-16", "end_date": "2026-12-04", "objectives": "",
               "tasks": task_ids(annex.version, "T1.1")}
    refused = client.post(url(establishment, f"periode/{period.pk}/modifier/"),
                           {**payload, "learners": [str(classes["1MELEC1"][0].pk)]})
    assert refused.status_code == 400 and "n&#x27;est pas de ce niveau" in text(refused)
    response = client.post(url(establishment, f"periode/{period.pk}/modifier/"),
                           {**payload, "learners": [str(classes["2MELEC2"][0].pk)]})
    assert response.status_code == 302
    with scopes_disabled():
        assert Placement.objects.filter(period=period).count() == 4
        assert Placement.objects.get(period=period, learner=classes["2MELEC2"][0]).days_planned == 15


def test_the_selectors_the_portfolio_uses_answer_per_user(establishment, classes, annex, make_user):
    from django.http import Http404

    from periods import selectors

    period = f.period(establishment, annex.version, classes["2MELEC1"] + classes["2MELEC2"])
    teacher = make_user(establishment, Profile.TEACHER)
    learner = classes["2MELEC2"][0]
    with scopes_disabled():
        teacher.divisions_taught.add(learner.division)
        assert [p.learner for p in selectors.visible_placements(teacher, period)] == classes["2MELEC2"]
        assert selectors.period_for(learner, period.pk) == period
        assert selectors.placement_for(learner, period, learner.pk).learner == learner
        with pytest.raises(Http404):
            selectors.placement_for(learner, period, classes["2MELEC1"][0].pk)
        with pytest.raises(Http404):
            selectors.placement_for(teacher, period, classes["2MELEC1"][0].pk)
        assert [p.period for p in selectors.learner_placements(learner)] == [period]
        assert selectors.user_periods(classes["1MELEC1"][0]) == []


def test_a_learner_who_left_is_taken_off_a_period_with_what_was_entered_for_them_only(
        establishment, classes, annex, ddfpt, make_user, login_as):
    from periods.models import ActivityFiche

    gone, stays = classes["2MELEC1"][0], classes["2MELEC1"][1]
    period = f.period(establishment, annex.version, classes["2MELEC1"], days_done=10)
    with scopes_disabled():
        placement = Placement.objects.get(period=period, learner=gone)
        for title in ("Câblage", "Mise en service"):
            ActivityFiche.objects.create(establishment=establishment, placement=placement, title=title,
                                         description="…")
        ActivityFiche.objects.create(establishment=establishment, description="…", title="Autre",
                                     placement=Placement.objects.get(period=period, learner=stays))
    remove = url(establishment, f"periode/{period.pk}/apprenant/{placement.pk}/retirer/")
    teacher = login_as(make_user(establishment, Profile.TEACHER))
    assert teacher.post(remove).status_code == 403

    client = login_as(ddfpt)
    page = text(client.get(remove))
    assert "10 jour(s) effectué(s) saisi(s)" in page and "2 fiches activités" in page
    assert client.post(remove).status_code == 302
    second = client.post(remove, follow=True)  # a second click finds the learner already gone
    assert "déjà plus sur la période" in text(second)
    with scopes_disabled():
        assert set(Placement.objects.filter(period=period).values_list("learner", flat=True)) == {
            learner.pk for learner in classes["2MELEC1"]} - {gone.pk}
        assert list(ActivityFiche.objects.values_list("title", flat=True)) == ["Autre"]
        entry = AuditEntry.objects.get(establishment=establishment, action="period.remove_learner")
    assert "2 fiches activités" in str(entry.details)
    assert len(periods(establishment)) == 1


def test_my_periods_shows_the_title_first_then_days_activities_and_the_portfolio(establishment, classes, annex,
                                                                               login_as):
    """The DSFR card orders its content with flex: anything outside fr-card__end went above the period's title."""
    mine = classes["2MELEC1"][0]
    f.period(establishment, annex.version, [mine], title="PFMP de Prénom0")
    with scopes_disabled():
        mine.set_password("Un-mot-de-passe-solide-42")
        mine.must_change_password = False
        mine.save()
    page = text(login_as(mine).get(url(establishment, "mes-periodes/")))
    card = page.split('data-testid="ma-periode"')[1]
    body = card.split('class="fr-card__end"')
    assert "PFMP de Prénom0" in body[0] and "Activités prévues" not in body[0]
    rest = body[1]
    assert rest.index("Jours prévus") < rest.index("Activités prévues") < rest.index("Mon portfolio de cette période")


def test_the_period_page_leads_to_each_portfolio_and_the_days_over_the_cycle(establishment, classes, annex, ddfpt,
                                                                           login_as):
    period = f.period(establishment, annex.version, classes["2MELEC1"])
    with scopes_disabled():
        placement = Placement.objects.filter(period=period).order_by("learner__last_name").first()
    page = text(login_as(ddfpt).get(url(establishment, f"periode/{period.pk}/")))
    assert f'href="/{establishment.uai}/portfolios/{placement.pk}/">{placement.learner.last_name}' in page
    assert f'href="{url(establishment, "jours/")}?diplome=MELEC"' in page
    days = text(login_as(ddfpt).get(url(establishment, f"periode/{period.pk}/jours/")))
    assert "Périodes de formation en entreprise</a>" in days  # the breadcrumb starts at the module
    assert f'href="{url(establishment, "jours/")}?diplome=MELEC"' in days
    assert "periods/periods.css" in days and 'class="fr-table fr-table--sm cpro-days"' in days


def test_the_ddfpt_names_the_referent_teacher_of_ticked_learners_once(establishment, classes, annex, ddfpt,
                                                                      make_user, login_as):
    teacher = make_user(establishment, Profile.TEACHER, last_name="Durand", first_name="Julien")
    other_school_teacher_pk = 10**6
    period = f.period(establishment, annex.version, classes["2MELEC1"])
    with scopes_disabled():
        first, second, third = Placement.objects.filter(period=period).order_by("learner__last_name")[:3]
    client = login_as(ddfpt)
    page = client.get(url(establishment, f"periode/{period.pk}/"))
    assert "Désigner le référent" in text(page) and "Durand Julien" in text(page)
    referents = url(establishment, f"periode/{period.pk}/referents/")
    for _ in range(2):  # a double click names them once
        client.post(referents, {"placements": [first.pk, second.pk], "referent": teacher.pk})
    with scopes_disabled():
        assert {p.pk: p.referent_id for p in Placement.objects.filter(period=period)
                if p.pk in (first.pk, second.pk, third.pk)} == {first.pk: teacher.pk, second.pk: teacher.pk,
                                                                  third.pk: None}
        assert AuditEntry.objects.filter(establishment=establishment, action="period.referent").count() == 1
    assert "Durand Julien" in text(client.get(url(establishment, f"periode/{period.pk}/"))).split("Apprenants")[1]
    # Refused, nothing changed: a teacher of nowhere, no learner ticked.
    refused = client.post(referents, {"placements": [third.pk], "referent": other_school_teacher_pk}, follow=True)
    assert "Choisissez un enseignant de l" in text(refused)
    assert "Cochez au moins un apprenant" in text(client.post(referents, {"referent": teacher.pk}, follow=True))
    with scopes_disabled():
        assert Placement.objects.get(pk=third.pk).referent_id is None
    # Naming referents is the DDFPT's and the chef's: a teacher is refused.
    assert login_as(teacher).post(referents, {"placements": [third.pk], "referent": teacher.pk}).status_code == 403
