"""Cohorts: each class tied to a diploma version and a class level, proposed from its learners' MEF codes after
each SIECLE import, changed by the DDFPT; a cohort stays on its version when a new version is loaded."""

import datetime
import html
import re
from pathlib import Path

import pytest

from accounts.models import Profile
from establishments.models import AuditEntry, Division
from establishments.scoping import scope, scopes_disabled
from imports.services import import_files
from referentiels.cohorts import level_from_mef, propose_cohorts
from referentiels.establishment_models import Cohort
from referentiels.models import MefCode
from referentiels.services import CohortError, cohort_change, subscribe
from tests.import_samples import SMALL

from .referentiel_factory import make_version

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
MELEC_MEF = "24725510"  # the small sample's MELEC learners: 2472551031x (Seconde), …32x (Première), …33x (Terminale)
CAP_MEF = "50033411"  # its CAP learners: no subscribed diploma


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


@pytest.fixture
def melec_2016(school):
    version = make_version("MELEC", "2016", session=2018, mef=[(MELEC_MEF, "")])
    with scopes_disabled():
        subscribe(school, version.diploma)
    return version


def run_import(school, *paths):
    with scope(establishment=school):
        return import_files(school, [Path(p) for p in paths], today=TODAY)


def cohorts(school) -> dict[str, tuple[str, str, str]]:
    with scope(establishment=school):
        return {c.division.code: (c.version.label, c.class_level, c.source)
                for c in Cohort.objects.select_related("division", "version")}


def test_level_is_read_from_the_mef_code():
    assert level_from_mef("24725510310") == "2NDE"
    assert level_from_mef("24725510320") == "1RE"
    assert level_from_mef("24725510330") == "TLE"
    assert level_from_mef("50033411210") == "1A"
    assert level_from_mef("50033411220") == "2A"
    assert level_from_mef("2472") == ""


def test_a_siecle_import_ties_each_class_to_its_diploma_and_reports_it(school, melec_2016):
    run_import(school, SMALL / "sts_emp_0999999F_2026.xml")
    outcome = run_import(school, SMALL / "ElevesSansAdresses.xml")
    assert outcome.ok

    assert cohorts(school) == {
        "2MELEC1": ("MELEC 2016", "2NDE", "propose"),
        "1MELEC1": ("MELEC 2016", "1RE", "propose"),
        "TMELEC1": ("MELEC 2016", "TLE", "propose"),
    }
    report = outcome.run.summary["cohorts"]
    assert {row["division"]: (row["version"], row["level"], row["status"]) for row in report["classes"]} == {
        "2MELEC1": ("MELEC 2016", "Seconde", "nouvelle"),
        "1MELEC1": ("MELEC 2016", "Première", "nouvelle"),
        "TMELEC1": ("MELEC 2016", "Terminale", "nouvelle"),
    }
    unmatched = {row["mef"]: (row["learners"], row["divisions"]) for row in report["unmatched"]}
    # (one CAP learner of the sample has no class)
    assert unmatched == {"50033411210": (1, ["1CAPPRO"]), "50033411220": (2, ["2CAPPRO"])}


def test_the_import_report_names_the_classes_and_the_unmatched_mef_codes(school, melec_2016, make_user, login_as):
    run_import(school, SMALL / "sts_emp_0999999F_2026.xml")
    run = run_import(school, SMALL / "ElevesSansAdresses.xml").run
    admin = login_as(make_user(school, Profile.ADMIN, login="admin.lycee"))
    page = text(admin.get(f"/{school.uai}/imports/{run.pk}/"))
    assert "<td>2MELEC1</td><td>MELEC 2016</td><td>Seconde</td>" in page
    assert "Codes MEF sans diplôme auquel l'établissement est abonné" in page
    assert "<td>50033411210</td><td>1</td><td>1CAPPRO</td>" in page


def test_without_subscription_the_report_says_no_class_could_be_tied(school, make_user, login_as):
    make_version("MELEC", "2016", mef=[(MELEC_MEF, "")])  # loaded, not subscribed
    run_import(school, SMALL / "sts_emp_0999999F_2026.xml")
    outcome = run_import(school, SMALL / "ElevesSansAdresses.xml")
    assert cohorts(school) == {}
    assert outcome.run.summary["cohorts"]["subscribed"] is False
    assert len(outcome.run.summary["cohorts"]["unmatched"]) == 5


def test_a_cohort_keeps_its_version_when_a_new_version_is_loaded(school, melec_2016):
    run_import(school, SMALL / "sts_emp_0999999F_2026.xml")
    run_import(school, SMALL / "ElevesSansAdresses.xml")
    assert cohorts(school)["1MELEC1"][0] == "MELEC 2016"

    # The renovated version arrives and takes over the MEF codes (as the loader does for a new version).
    make_version("MELEC", "2024", session=2026, predecessor=melec_2016)
    MefCode.objects.filter(code=MELEC_MEF).update(version=melec_2016.diploma.versions.get(code="2024"))
    with scope(establishment=school):
        report = propose_cohorts(school)

    after = cohorts(school)
    assert {code: after[code][0] for code in ("2MELEC1", "1MELEC1", "TMELEC1")} == dict.fromkeys(
        ("2MELEC1", "1MELEC1", "TMELEC1"), "MELEC 2016")
    assert {row["status"] for row in report["classes"]} == {"conservée sur sa version"}
    assert {row["version"] for row in report["classes"]} == {"MELEC 2016"}


def test_a_class_started_after_the_new_version_takes_it(school, melec_2016, make_user):
    make_version("MELEC", "2024", session=2026, predecessor=melec_2016)
    new = melec_2016.diploma.versions.get(code="2024")
    MefCode.objects.filter(code=MELEC_MEF).update(version=new)
    with scope(establishment=school):
        division = Division.objects.create(establishment=school, code="2MELEC3")
    make_user(school, Profile.LEARNER, login="a.b", division=division, mef_code="24725510310")
    with scope(establishment=school):
        propose_cohorts(school)
    assert cohorts(school) == {"2MELEC3": ("MELEC 2024", "2NDE", "propose")}


def test_a_class_chosen_by_the_ddfpt_is_kept_by_the_next_import(school, melec_2016, make_user):
    ciel = make_version("CIEL", "2023")
    with scopes_disabled():
        subscribe(school, ciel.diploma)
    run_import(school, SMALL / "sts_emp_0999999F_2026.xml")
    run_import(school, SMALL / "ElevesSansAdresses.xml")
    ddfpt = make_user(school, Profile.DDFPT, login="nadia.petit")
    with scope(establishment=school):
        division = Division.objects.get(code="1MELEC1")
        cohort_change(establishment=school, actor=ddfpt, division=division, version_id=ciel.pk, class_level="1RE")
    outcome = run_import(school, SMALL / "ElevesSansAdresses.xml")
    assert cohorts(school)["1MELEC1"] == ("CIEL 2023", "1RE", "choisi")
    row = next(r for r in outcome.run.summary["cohorts"]["classes"] if r["division"] == "1MELEC1")
    assert row["status"] == "choisie (conservée)" and row["version"] == "CIEL 2023"


def test_only_a_subscribed_diploma_may_be_chosen(school, melec_2016, make_user):
    other = make_version("CIEL", "2023")  # loaded, not subscribed
    ddfpt = make_user(school, Profile.DDFPT, login="nadia.petit")
    with scope(establishment=school):
        division = Division.objects.create(establishment=school, code="1CIEL1")
        with pytest.raises(CohortError, match="abonné"):
            cohort_change(establishment=school, actor=ddfpt, division=division, version_id=other.pk, class_level="")
        assert not Cohort.objects.exists()


def test_the_ddfpt_changes_a_class_on_the_page_and_a_teacher_may_not(school, melec_2016, make_user, login_as):
    ciel = make_version("CIEL", "2023")
    with scopes_disabled():
        subscribe(school, ciel.diploma)
        division = Division.objects.create(establishment=school, code="1CIEL1")
    ddfpt = login_as(make_user(school, Profile.DDFPT, login="nadia.petit"))
    page = text(ddfpt.get(f"/{school.uai}/referentiels/classes/"))
    assert "1CIEL1" in page and "aucun diplôme" in page

    url = f"/{school.uai}/referentiels/classes/{division.pk}/"
    response = ddfpt.post(url, {"version": ciel.pk, "niveau": "1RE"}, follow=True)
    assert "La classe 1CIEL1 suit désormais CIEL 2023 (Première)." in text(response)
    assert cohorts(school) == {"1CIEL1": ("CIEL 2023", "1RE", "choisi")}
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="cohort.change")
    assert entry.details == {"avant": "aucun diplôme", "après": "CIEL 2023 (Première)"}

    response = ddfpt.post(url, {"version": "", "niveau": "1RE"})
    assert response.status_code == 400

    teacher = login_as(make_user(school, Profile.TEACHER, login="julien.durand"))
    assert teacher.post(url, {"version": melec_2016.pk, "niveau": "2NDE"}).status_code == 403
    assert cohorts(school)["1CIEL1"][0] == "CIEL 2023"


def test_the_demo_subscribes_to_melec_2024_and_ciel_and_ties_its_classes():
    from accounts.management.commands.demo import DEMO_ESTABLISHMENTS, load_demo
    from establishments.models import Establishment
    from referentiels.establishment_models import Subscription
    from referentiels.loader import load_files
    from referentiels.shipped import shipped_files

    load_files(shipped_files())
    load_demo()
    load_demo()  # idempotent
    school = Establishment.objects.get(uai=DEMO_ESTABLISHMENTS[0][0])
    with scope(establishment=school):
        assert sorted(Subscription.objects.values_list("diploma__code", flat=True)) == ["CIEL", "MELEC"]
    assert cohorts(school) == {"2MELEC1": ("MELEC 2024", "2NDE", "propose"), "1CIEL1": ("CIEL 2023", "1RE", "propose")}
