"""The import service against the real sample files, through the database: counts, update rules, atomicity."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
import time_machine

from accounts.models import GuardianLink, Profile, User
from establishments.models import Division, TeachingGroup
from establishments.scoping import scope, scopes_disabled
from imports.models import ImportRun, ImportRunEntry
from imports.services import import_files
from tests.import_samples import SMALL, generated_set, shared

TODAY = datetime.date(2026, 11, 23)
STS = SMALL / "sts_emp_0999999F_2026.xml"
LEARNERS = SMALL / "ElevesSansAdresses.xml"
GUARDIANS = SMALL / "ResponsablesAvecAdresses.xml"


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


def run_import(school, *paths, analyse_only=False, today=TODAY):
    with scope(establishment=school):
        return import_files(school, [Path(p) for p in paths], today=today, analyse_only=analyse_only)


def table(school):
    """What a user of the establishment would see: every row the import may write."""
    with scope(establishment=school):
        users = User.objects.filter(establishment=school)
        return {
            "users": sorted(users.values_list("login", "is_active", "division__code")),
            "groups": sorted(User.teaching_groups.through.objects.filter(user__establishment=school)
                             .values_list("user__login", "teachinggroup__code")),
            "links": GuardianLink.objects.count(),
            "divisions": sorted(Division.objects.values_list("code", flat=True)),
            "teaching_groups": sorted(TeachingGroup.objects.values_list("code", flat=True)),
            "runs": ImportRun.objects.filter(status=ImportRun.Status.APPLIED).count(),
        }


def counts_in_base(school):
    with scope(establishment=school):
        active = User.objects.filter(is_active=True)
        learners = active.filter(profile=Profile.LEARNER)
        return {
            "learners": learners.count(),
            "without_ine": learners.filter(ine__isnull=True).count(),
            "guardians": active.filter(profile=Profile.GUARDIAN).count(),
            "links": GuardianLink.objects.count(),
            "teachers": active.filter(profile=Profile.TEACHER).count(),
            "heads": active.filter(profile=Profile.HEAD).count(),
            "divisions": Division.objects.count(),
            "groups": TeachingGroup.objects.count(),
        }


@pytest.mark.django_db
@pytest.mark.parametrize("files", [
    [STS, LEARNERS, GUARDIANS],
    [SMALL / "sts_emp_0999999F_2026.zip", SMALL / "ExportXML_ElevesSansAdresses.zip",
     SMALL / "ResponsablesAvecAdresses.zip"],
    [SMALL / "Siecle_ElevesEtResponsables.zip", STS],  # STS given last: applied first anyway
], ids=["plain", "zipped", "one-zip-for-both"])
def test_small_sample_creates_what_its_readme_states(school, files):
    outcome = run_import(school, *files)

    assert outcome.ok, outcome.as_json()["problems"]
    assert counts_in_base(school) == {"learners": 10, "without_ine": 1, "guardians": 18, "links": 19,
                                      "teachers": 8, "heads": 1, "divisions": 6, "groups": 3}
    result = outcome.as_json()
    assert result["learners_without_ine"] == 1
    assert result["counts"]["learners"] == {"created": 10, "kept": 0, "deactivated": 0, "reactivated": 0}
    assert result["counts"]["guardians"]["created"] == 18
    assert result["counts"]["teachers"]["created"] == 8
    assert result["counts"]["heads"]["created"] == 1
    assert result["counts"]["divisions"]["created"] == 6
    assert result["counts"]["groups"]["created"] == 3


@pytest.mark.django_db
def test_a_generated_set_of_2000_learners_is_imported_whole(school, tmp_path):
    paths = generated_set(tmp_path, 2000)
    outcome = run_import(school, paths["sts"], paths["learners"], paths["guardians"])
    assert outcome.ok, outcome.as_json()["problems"][:3]
    counts = outcome.as_json()["counts"]
    in_base = counts_in_base(school)
    # About 1 % of the learners left before the export (not created); the others are all there.
    assert 1950 <= in_base["learners"] == counts["learners"]["created"] < 2000
    assert in_base["guardians"] == counts["guardians"]["created"] > 3000
    assert in_base["links"] >= in_base["guardians"]
    assert in_base["divisions"] == 6 and in_base["teachers"] == counts["teachers"]["created"] > 100


@pytest.mark.django_db
def test_large_shared_sample_creates_what_its_readme_states(school):
    large = shared("synthetic", "large-2000")
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0), tick=False):
        outcome = run_import(school, large / "sts_emp_0999999F_2026.zip",
                             large / "ExportXML_ElevesSansAdresses.zip", large / "ResponsablesAvecAdresses.zip",
                             today=None)
    assert outcome.ok
    assert counts_in_base(school) == {"learners": 1998, "without_ine": 1, "guardians": 3710, "links": 3711,
                                      "teachers": 166, "heads": 1, "divisions": 6, "groups": 3}


@pytest.mark.django_db
def test_imported_accounts_carry_their_national_data_and_initial_password(school):
    run_import(school, STS, LEARNERS, GUARDIANS)
    with scope(establishment=school):
        kevin = User.objects.get(siecle_id="1100000")
        teacher = User.objects.get(sts_id="41000")
        head = User.objects.get(sts_id="41500")
        anne_sophie = User.objects.get(siecle_id="1100055")
        mother = User.objects.get(learner_links__learner=kevin, learner_links__legal_rank=1)

        assert (kevin.login, kevin.ine, kevin.division.code, kevin.profile) == (
            "kevin.richard", "3257919268A", "2MELEC1", Profile.LEARNER)
        assert kevin.initial_password() == "07032009" and kevin.check_password("07032009")
        assert kevin.must_change_password and kevin.imported_at is not None
        assert kevin.mef_label.startswith("2NDPRO")
        assert anne_sophie.is_apprentice
        assert teacher.profile == Profile.TEACHER and teacher.initial_password() == "1965-10-19"
        assert sorted(teacher.divisions_taught.values_list("code", flat=True)) == ["2MELEC1", "3PM"]
        assert sorted(teacher.teaching_groups.values_list("code", flat=True)) == ["2MEL-AP1", "2MEL-AP2",
                                                                                   "TMEL-ANG"]
        assert head.profile == Profile.HEAD and head.function == "DIR"
        assert mother.profile == Profile.GUARDIAN and mother.initial_password()
        # STS persons who are neither ENS nor DIR (the local "vacataire") are not created.
        assert not User.objects.filter(sts_id="3506").exists()
        # Homonyms (two ROUX Yanis) stay two people with two logins.
        homonyms = User.objects.filter(last_name="ROUX", first_name="Yanis", profile=Profile.LEARNER)
        assert sorted(homonyms.values_list("siecle_id", flat=True)) == ["1100061", "1100067"]
        assert len(set(homonyms.values_list("login", flat=True))) == 2


@pytest.mark.django_db
def test_learners_before_any_sts_import_are_refused_and_nothing_is_written(school):
    before = table(school)

    outcome = run_import(school, SMALL / "Siecle_ElevesEtResponsables.zip")

    assert not outcome.ok
    assert any("STS-web" in p.message and "en premier" in p.message for p in outcome.plan.problems)
    assert table(school) == before


@pytest.mark.django_db
def test_learners_after_an_earlier_sts_import_are_accepted(school):
    assert run_import(school, STS).ok
    assert run_import(school, LEARNERS).ok
    assert run_import(school, GUARDIANS).ok
    assert counts_in_base(school)["links"] == 19


@pytest.mark.django_db
def test_analyse_only_writes_nothing(school):
    before = table(school)
    outcome = run_import(school, STS, LEARNERS, GUARDIANS, analyse_only=True)
    assert outcome.ok and outcome.plan.counts["learners"]["created"] == 10
    assert table(school) == before


# --- update rules over two imports -----------------------------------------------------------------------------


def _edit_learners(source: Path, out: Path, *, drop=(), exit_dates=None, division=None) -> Path:
    """A copy of the learners' file with some learners removed, exit dates set, or a class changed."""
    from lxml import etree

    tree = etree.parse(str(source))
    root = tree.getroot()
    for eleve in list(root.iter("ELEVE")):
        eleve_id = eleve.get("ELEVE_ID")
        if eleve_id in drop:
            eleve.getparent().remove(eleve)
        elif exit_dates and eleve_id in exit_dates:
            sortie = eleve.find("DATE_SORTIE")
            if sortie is None:
                sortie = etree.SubElement(eleve, "DATE_SORTIE")
            sortie.text = exit_dates[eleve_id]
    for structures in list(root.iter("STRUCTURES_ELEVE")):
        eleve_id = structures.get("ELEVE_ID")
        if eleve_id in drop:
            structures.getparent().remove(structures)
        elif division and eleve_id in division:
            for structure in structures.iter("STRUCTURE"):
                if structure.findtext("TYPE_STRUCTURE") == "D":
                    structure.find("CODE_STRUCTURE").text = division[eleve_id]
    tree.write(str(out), encoding="ISO-8859-15", xml_declaration=True)
    return out


def _edit_sts_drop(source: Path, out: Path, sts_id: str) -> Path:
    from lxml import etree

    tree = etree.parse(str(source))
    for individu in list(tree.getroot().iter("INDIVIDU")):
        if individu.get("ID") == sts_id:
            individu.getparent().remove(individu)
    tree.write(str(out), encoding="ISO-8859-15", xml_declaration=True)
    return out


@pytest.mark.django_db
def test_reimport_of_the_same_files_keeps_everyone_unchanged(school):
    run_import(school, STS, LEARNERS, GUARDIANS)
    with scope(establishment=school):
        kevin = User.objects.get(siecle_id="1100000")
        kevin.set_password("Mon-nouveau-secret-42")
        kevin.must_change_password = False
        kevin.email = "kevin@example.org"
        kevin.save()
    before = table(school)

    outcome = run_import(school, STS, LEARNERS, GUARDIANS)

    assert outcome.ok
    counts = outcome.as_json()["counts"]
    assert counts["learners"] == {"created": 0, "kept": 10, "deactivated": 0, "reactivated": 0}
    assert counts["guardians"]["kept"] == 18 and counts["teachers"]["kept"] == 8
    after = table(school)
    assert after["users"] == before["users"] and after["groups"] == before["groups"]
    with scope(establishment=school):
        kevin = User.objects.get(siecle_id="1100000")
        assert kevin.check_password("Mon-nouveau-secret-42") and kevin.email == "kevin@example.org"
        assert kevin.login == "kevin.richard"


@pytest.mark.django_db
def test_reimport_creates_keeps_moves_deactivates_and_reactivates(school, tmp_path):
    run_import(school, STS, LEARNERS, GUARDIANS)
    # Second export: Kévin left (absent), Emma RICHARD's exit date is past, Maël changed class,
    # a teacher is gone from STS-web.
    learners2 = _edit_learners(LEARNERS, tmp_path / "ElevesSansAdresses.xml", drop={"1100000"},
                               exit_dates={"1100047": "30/10/2026"}, division={"1100035": "1MELEC1"})
    sts2 = _edit_sts_drop(STS, tmp_path / "sts_emp_0999999F_2026.xml", "41091")

    outcome = run_import(school, sts2, learners2, GUARDIANS)

    assert outcome.ok, outcome.as_json()["problems"]
    counts = outcome.as_json()["counts"]
    assert counts["learners"] == {"created": 0, "kept": 8, "deactivated": 2, "reactivated": 0}
    assert counts["teachers"]["deactivated"] == 1
    with scope(establishment=school):
        kevin = User.objects.get(siecle_id="1100000")
        emma = User.objects.get(siecle_id="1100047")
        mael = User.objects.get(siecle_id="1100035")
        gone_teacher = User.objects.get(sts_id="41091")
        assert not kevin.is_active and kevin.deactivated_by_import and kevin.deactivated_at is not None
        assert not emma.is_active and emma.exit_date == datetime.date(2026, 10, 30)
        assert mael.is_active and mael.division.code == "1MELEC1"
        assert not gone_teacher.is_active and gone_teacher.deactivated_by_import
        entry = ImportRunEntry.objects.get(run=outcome.run, user=mael)
        assert "2MELEC1 → 1MELEC1" in entry.changes

    # Third export: everyone is back; the deactivated accounts are reactivated with their data.
    outcome = run_import(school, STS, LEARNERS, GUARDIANS)
    counts = outcome.as_json()["counts"]
    assert counts["learners"]["reactivated"] == 2 and counts["teachers"]["reactivated"] == 1
    with scope(establishment=school):
        kevin = User.objects.get(siecle_id="1100000")
        assert kevin.is_active and kevin.login == "kevin.richard" and kevin.division.code == "2MELEC1"
        assert not kevin.deactivated_by_import
        assert User.objects.filter(siecle_id="1100000").count() == 1


@pytest.mark.django_db
def test_learner_without_ine_is_recognised_by_siecle_id_and_gets_ine_later(school, tmp_path):
    run_import(school, STS, LEARNERS)
    from lxml import etree

    tree = etree.parse(str(LEARNERS))
    for eleve in tree.getroot().iter("ELEVE"):
        if eleve.get("ELEVE_ID") == "1100008":
            ine = etree.Element("ID_NATIONAL")
            ine.text = "1234567890Z"
            eleve.insert(0, ine)
    path = tmp_path / "ElevesSansAdresses.xml"
    tree.write(str(path), encoding="ISO-8859-15", xml_declaration=True)

    outcome = run_import(school, path)

    assert outcome.as_json()["counts"]["learners"]["created"] == 0
    with scope(establishment=school):
        assert User.objects.get(siecle_id="1100008").ine == "1234567890Z"


@pytest.mark.django_db
def test_leaver_in_the_file_is_not_created_on_first_import(school):
    run_import(school, STS, LEARNERS)
    with scope(establishment=school):
        assert not User.objects.filter(siecle_id__in=["1100015", "1100024"]).exists()


# --- hostile and broken input -------------------------------------------------------------------------------

XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE BEE_ELEVES [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       b"<BEE_ELEVES><PARAMETRES><UAJ>&x;</UAJ></PARAMETRES></BEE_ELEVES>\n")
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<STS_EDT>&c;</STS_EDT>\n')


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


HOSTILE = {
    "xxe.xml": (XXE, "DOCTYPE interdit"),
    "laughs.xml": (LAUGHS, "DOCTYPE interdit"),
    "bomb.zip": (_zip({"ElevesSansAdresses.xml": b"<BEE_ELEVES>" + b" " * (60 * 1024 * 1024)}), "compression"),
    "slip.zip": (_zip({"../../ElevesSansAdresses.xml": LEARNERS.read_bytes()}), "dangereux"),
    "truncated.xml": (LEARNERS.read_bytes()[:5000], "XML"),
    "emp_sts.xml": (b'<?xml version="1.0"?><EDT_STS><PARAMETRES/></EDT_STS>', "sens inverse"),
    "empty.xml": (b"", "vide"),
    "wrong-uai.xml": (STS.read_bytes().replace(b'CODE="0999999F"', b'CODE="0750654D"'), "0750654D"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_broken_file_is_refused_with_its_message_and_nothing_written(school, tmp_path, name):
    run_import(school, STS, LEARNERS, GUARDIANS)
    before = table(school)
    data, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)

    outcome = run_import(school, path, STS)

    assert not outcome.ok
    errors = [p for p in outcome.plan.problems if p.is_error]
    assert any(expected in p.message and name in p.file for p in errors), [p.text for p in errors]
    assert table(school) == before


@pytest.mark.django_db
def test_crash_in_the_middle_of_an_import_leaves_the_base_as_before(school, monkeypatch):
    run_import(school, STS)
    before = table(school)

    def boom(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr("imports.apply._sync_links", boom)
    with pytest.raises(RuntimeError):
        run_import(school, LEARNERS, GUARDIANS)

    assert table(school) == before


@pytest.mark.django_db
def test_an_import_touches_only_its_own_establishment(school, establishment, make_user):
    stranger = make_user(establishment, Profile.LEARNER, login="kevin.richard", siecle_id="1100000")
    run_import(school, STS, LEARNERS, GUARDIANS)
    with scopes_disabled():
        stranger.refresh_from_db()
        assert stranger.is_active and stranger.establishment == establishment
        assert User.objects.filter(establishment=school, login="kevin.richard").exists()


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_establishment_at_once_are_serialised(school):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises whole transactions")
    import threading

    from django.db import connections

    outcomes, errors = [], []

    def one_import():
        try:
            outcomes.append(run_import(school, STS))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and all(o.ok for o in outcomes)
    created = sorted(o.plan.counts["teachers"]["created"] for o in outcomes)
    assert created == [0, 8]  # the second waited for the first, then found everyone already there
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 8
