"""Official periods (issue 14): the DDFPT sets the calendar of each subscribed diploma and level; bad dates are
refused with a message on the field and nothing is saved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import Profile
from establishments.models import AuditEntry, Division
from establishments.scoping import scope
from pedagogy.models import Bilan
from periods import official_periods
from periods.demo_official import load_demo_official_periods
from periods.models import OfficialPeriod
from referentiels.establishment_models import Cohort
from referentiels.services import subscribe

from .fixtures_users import text
from .referentiel_factory import make_version

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 11, 20, 10, 0)
D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def melec(establishment):
    version = make_version()
    with scope(establishment=establishment):
        subscribe(establishment, version.diploma)
        division = Division.objects.create(establishment=establishment, code="2MELEC1")
        Cohort.objects.create(establishment=establishment, division=division, version=version, class_level="2NDE")
    return version.diploma


@pytest.fixture
def ddfpt_client(establishment, make_user, login_as):
    return login_as(make_user(establishment, Profile.DDFPT, login="paul.ddfpt"))


def _count(establishment) -> int:
    with scope(establishment=establishment):
        return OfficialPeriod.objects.count()


def _post(client, melec, **fields):
    data = {"diploma": melec.pk, "class_level": "2NDE", "kind": "trimestre", "label": "Trimestre 1",
            "start_date": "2026-09-01", "end_date": "2026-11-30", "annee": "2026", **fields}
    return client.post("/0750654D/console/periodes/", data)


def test_a_trimester_is_saved_and_listed_under_its_diploma_and_level(establishment, melec, ddfpt_client):
    response = _post(ddfpt_client, melec)
    assert response.status_code == 302
    page = text(ddfpt_client.get(response["Location"]))
    assert "Période « Trimestre 1 » enregistrée." in page
    assert "MELEC — Métiers de l'électricité · Seconde" in page
    assert "01/09/2026" in page and "30/11/2026" in page
    with scope(establishment=establishment):
        assert AuditEntry.objects.filter(action="official_period.create").count() == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"start_date": "2026-12-01", "end_date": "2026-11-30"}, "La date de fin précède la date de début."),
    ({"start_date": "2026-08-20"}, "La période doit être comprise dans l&#x27;année scolaire 2026-2027"),
    ({"end_date": "2027-09-15"}, "La période doit être comprise dans l&#x27;année scolaire 2026-2027"),
    ({"end_date": ""}, "Indiquez la date de fin de la période."),
])
def test_bad_dates_are_refused_with_a_message_and_nothing_saved(establishment, melec, ddfpt_client, fields,
                                                                message):
    response = _post(ddfpt_client, melec, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _count(establishment) == 0
    page = text(response)  # the page comes back at the form, saying it was not saved
    assert 'action="#period-add"' in page
    assert "La période n'a pas été enregistrée : corrigez les champs signalés ci-dessous." in page


def test_an_overlapping_sibling_is_refused_but_another_kind_may_overlap(establishment, melec, ddfpt_client):
    assert _post(ddfpt_client, melec).status_code == 302
    response = _post(ddfpt_client, melec, label="Trimestre 2", start_date="2026-11-15", end_date="2027-03-01")
    assert "Cette période chevauche « Trimestre 1 » (du 01/09/2026 au 30/11/2026)." in text(response)
    assert _count(establishment) == 1
    # A PFMP during the trimester is fine, and so is the same trimester for another level.
    assert _post(ddfpt_client, melec, kind="pfmp", label="PFMP 1", start_date="2026-11-16",
                 end_date="2026-12-11").status_code == 302
    assert _post(ddfpt_client, melec, class_level="1RE").status_code == 302
    assert _count(establishment) == 3


def test_the_same_form_posted_twice_saves_one_period(establishment, melec, ddfpt_client):
    assert _post(ddfpt_client, melec).status_code == 302
    assert _post(ddfpt_client, melec).status_code == 302
    assert _count(establishment) == 1


def test_a_certification_deadline_is_one_day_and_a_label_is_proposed(establishment, melec):
    with scope(establishment=establishment):
        year = official_periods.current_school_year(establishment)
        deadline = official_periods.save_period(establishment, None, year, diploma=melec, class_level="2NDE",
                                                kind="certification", start_date=D(2027, 6, 5),
                                                end_date=D(2027, 6, 30))
        assert (deadline.start_date, deadline.end_date) == (D(2027, 6, 5), D(2027, 6, 5))
        assert deadline.label == "Date limite de certification 1"
        with pytest.raises(ValidationError) as refused:
            official_periods.save_period(establishment, None, year, diploma=melec, class_level="2NDE",
                                         kind="certification", label="Date limite de certification 1",
                                         start_date=D(2027, 6, 8))
        assert "existe déjà" in str(refused.value)


def test_a_period_is_edited_during_the_year_and_an_overlap_refused(establishment, melec, ddfpt_client):
    _post(ddfpt_client, melec)
    _post(ddfpt_client, melec, label="Trimestre 2", start_date="2026-12-01", end_date="2027-03-15")
    with scope(establishment=establishment):
        second = OfficialPeriod.objects.get(label="Trimestre 2")
    url = f"/0750654D/console/periodes/{second.pk}/"
    data = {"diploma": melec.pk, "class_level": "2NDE", "kind": "trimestre", "label": "Trimestre 2",
            "start_date": "2026-11-20", "end_date": "2027-03-15"}
    refused = text(ddfpt_client.post(url, data))
    assert "chevauche « Trimestre 1 »" in refused and "La période n'a pas été modifiée" in refused
    assert ddfpt_client.post(url, {**data, "start_date": "2026-12-02"}).status_code == 302
    second.refresh_from_db()
    assert second.start_date == D(2026, 12, 2)


def test_a_period_is_deleted(establishment, melec, ddfpt_client):
    _post(ddfpt_client, melec)
    with scope(establishment=establishment):
        period = OfficialPeriod.objects.get()
    response = ddfpt_client.post(f"/0750654D/console/periodes/{period.pk}/supprimer/")
    assert response.status_code == 302
    assert _count(establishment) == 0


def test_a_period_with_bilans_is_kept_with_a_message(establishment, melec, ddfpt_client, make_user):
    _post(ddfpt_client, melec)
    learner = make_user(establishment, Profile.LEARNER, login="ines.leroy")
    with scope(establishment=establishment):
        period = OfficialPeriod.objects.get()
        Bilan.objects.create(establishment=establishment, learner=learner, period=period, period_label=period.label,
                             period_start=period.start_date, period_end=period.end_date,
                             version=melec.versions.get(), status=Bilan.Status.VALIDATED)
    response = ddfpt_client.post(f"/0750654D/console/periodes/{period.pk}/supprimer/", follow=True)
    assert "a déjà des bilans : elle ne peut pas être supprimée" in text(response)
    assert _count(establishment) == 1


def test_next_year_can_be_prepared_before_the_start_of_the_year(establishment, melec, ddfpt_client):
    response = _post(ddfpt_client, melec, annee="2027", start_date="2027-09-01", end_date="2027-11-30")
    assert response.status_code == 302
    with scope(establishment=establishment):
        assert OfficialPeriod.objects.get().school_year.label == "2027-2028"


def test_the_year_shown_is_marked_and_the_other_is_a_link(establishment, melec, ddfpt_client):
    page = text(ddfpt_client.get("/0750654D/console/periodes/?annee=2027"))
    assert 'Année : <a href="?annee=2026">2026-2027</a> · <strong aria-current="page">2027-2028</strong>' in page


@pytest.mark.parametrize("profile", [Profile.TEACHER, Profile.ADMIN, Profile.LEARNER])
def test_other_profiles_cannot_set_periods(establishment, melec, make_user, login_as, profile):
    client = login_as(make_user(establishment, profile))
    assert client.get("/0750654D/console/periodes/").status_code == 403
    assert _post(client, melec).status_code == 403
    assert _count(establishment) == 0


def test_the_demo_gives_the_demo_levels_trimesters_lsl_and_certification_once(establishment, melec):
    with scope(establishment=establishment):
        load_demo_official_periods(establishment, {})
        load_demo_official_periods(establishment, {})
        kinds = sorted(OfficialPeriod.objects.values_list("kind", flat=True))
    assert kinds == ["certification", "lsl", "trimestre", "trimestre", "trimestre"]


def test_pfmp_are_numbered_over_the_cycle(establishment, melec):
    with scope(establishment=establishment):
        year = official_periods.current_school_year(establishment)
        labels = [official_periods.save_period(establishment, None, year, diploma=melec, class_level=level,
                                               kind="pfmp", start_date=start, end_date=end).label
                  for level, start, end in [("2NDE", D(2027, 1, 4), D(2027, 1, 29)),
                                            ("2NDE", D(2027, 5, 3), D(2027, 5, 28)),
                                            ("1RE", D(2026, 11, 16), D(2026, 12, 11))]]
    assert labels == ["PFMP 1", "PFMP 2", "PFMP 3"]


def test_the_periods_of_a_level_are_listed_in_the_order_of_the_calendar(establishment, melec, ddfpt_client):
    _post(ddfpt_client, melec, kind="certification", label="Date limite de certification",
          start_date="2027-06-05", end_date="")
    _post(ddfpt_client, melec)
    _post(ddfpt_client, melec, kind="lsl", label="Période LSL", start_date="2027-01-11", end_date="2027-01-22")
    listing = text(ddfpt_client.get("/0750654D/console/periodes/")).split("3 périodes", 1)[1]
    assert listing.index("Trimestre 1") < listing.index("Période LSL") < listing.index("Date limite de certification")


def test_the_lsl_step_of_the_console_opens_the_form_with_lsl_chosen(establishment, melec, ddfpt_client):
    page = text(ddfpt_client.get("/0750654D/console/periodes/?type=lsl"))
    assert '<option value="lsl" selected>Période LSL</option>' in page
