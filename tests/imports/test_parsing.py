"""Parsing of the national files (no database): the small set held in the repository, generated sets; the
shared large set and the Pix fixtures, when this machine has them, as extra checks."""

import io
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from imports.parsing import (
    FileKind,
    FirstImportSummary,
    Upload,
    detect_kind,
    expected_school_year,
    learners_to_create,
    parse_guardians,
    parse_learners,
    parse_learners_csv,
    parse_sts,
    read_uploads,
    summarise_first_import,
    with_mef_labels,
)
from imports.parsing.synthetic import generate_synthetic_exports
from tests.import_samples import SHARED, SHARED_MISSING, SMALL

LARGE = SHARED / "synthetic" / "large-2000"
PIX = SHARED / "pix"
UAI = "0999999F"
TODAY = date(2026, 11, 23)

needs_large = pytest.mark.skipif(not LARGE.exists(), reason=SHARED_MISSING)
needs_pix = pytest.mark.skipif(not PIX.exists(), reason=SHARED_MISSING)


def uploads(*paths: Path) -> list[tuple[str, Path]]:
    return [(path.name, path) for path in paths]


def by_id(learners):
    return {learner.siecle_id: learner for learner in learners}


# --- README table ------------------------------------------------------------------------------------------

SMALL_ROW = FirstImportSummary(
    learners=10,
    learners_without_ine=1,
    guardians=18,
    guardian_links=19,
    teachers=8,
    heads=1,
    divisions=6,
    groups=3,
    learners_left=2,
    learners_without_division=1,
)


@pytest.mark.parametrize(
    "files",
    [
        ("sts_emp_0999999F_2026.xml", "ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml"),
        ("sts_emp_0999999F_2026.zip", "ExportXML_ElevesSansAdresses.zip", "ResponsablesAvecAdresses.zip"),
        ("sts_emp_0999999F_2026.zip", "Siecle_ElevesEtResponsables.zip"),
    ],
    ids=["plain", "zips", "combined-zip"],
)
def test_small_set_gives_the_readme_row(files):
    bundle = read_uploads(uploads(*(SMALL / name for name in files)), UAI, TODAY)

    assert bundle.ok, [str(p) for p in bundle.problems]
    assert bundle.problems == ()
    assert summarise_first_import(bundle, TODAY) == SMALL_ROW


@needs_large
def test_large_set_gives_the_readme_row():
    files = ("sts_emp_0999999F_2026.zip", "ExportXML_ElevesSansAdresses.zip", "ResponsablesAvecAdresses.zip")
    bundle = read_uploads(uploads(*(LARGE / name for name in files)), UAI, TODAY)

    assert bundle.ok, [str(p) for p in bundle.problems]
    summary = summarise_first_import(bundle, TODAY)
    assert (summary.learners, summary.learners_without_ine, summary.guardians, summary.guardian_links) == (
        1998,
        1,
        3710,
        3711,
    )
    assert (summary.teachers, summary.heads, summary.divisions, summary.groups) == (166, 1, 6, 3)
    assert len(bundle.learners.learners) == 2000
    assert len(bundle.guardians.guardians) == 4114


def test_bytes_and_file_objects_are_accepted_like_paths():
    with open(SMALL / "ElevesSansAdresses.xml", "rb") as handle:
        bundle = read_uploads(
            [
                ("sts.zip", (SMALL / "sts_emp_0999999F_2026.zip").read_bytes()),
                Upload("eleves.xml", handle, FileKind.LEARNERS),
                ("resp.xml", io.BytesIO((SMALL / "ResponsablesAvecAdresses.xml").read_bytes()), FileKind.GUARDIANS),
            ],
            UAI,
            TODAY,
        )
    assert bundle.ok
    assert summarise_first_import(bundle, TODAY) == SMALL_ROW


# --- small set, record level ---------------------------------------------------------------------------------


def test_small_learners_file_records():
    result = parse_learners(SMALL / "ElevesSansAdresses.xml", expected_uai=UAI, today=TODAY)

    assert result.ok and result.problems == ()
    header = result.header
    assert (header.kind, header.uai, header.school_year, header.version) == (FileKind.LEARNERS, UAI, 2026, "2.2")
    assert header.export_date == date(2026, 10, 16)
    learners = by_id(result.learners)
    assert len(result.learners) == 12

    first = learners["1100000"]
    assert (first.ine, first.last_name, first.first_name, first.sex) == ("3257919268A", "RICHARD", "Kévin", "M")
    assert first.birth_date == date(2009, 3, 7)
    assert first.entry_date == date(2026, 9, 2)
    assert (first.division, first.groups, first.mef_code, first.status_code) == ("2MELEC1", (), "24725510310", "ST")
    assert first.elenoet == "3000"
    assert first.line == 11

    no_ine = learners["1100008"]
    assert no_ine.ine is None and not no_ine.transferable
    assert [learner.siecle_id for learner in result.without_ine] == ["1100008"]
    assert no_ine.other_first_names == ("Héloïse",)

    left_this_year = learners["1100015"]  # left 20/10/2026, still in a division
    assert left_this_year.exit_date == date(2026, 10, 20)
    assert left_this_year.exit_reason_code == "10"
    assert left_this_year.division == "TMELEC1"
    assert left_this_year.has_left(TODAY) and not left_this_year.has_left(date(2026, 10, 20))
    left_last_year = learners["1100024"]  # left 05/07/2026, no structure
    assert left_last_year.exit_date == date(2026, 7, 5) and left_last_year.division is None
    assert [learner.siecle_id for learner in result.learners if learner.exit_date] == ["1100015", "1100024"]

    assert learners["1100028"].division is None and learners["1100028"].exit_date is None
    assert learners["1100035"].groups == ("2MEL-AP1",)
    assert learners["1100047"].groups == ("2MEL-AP2",)
    assert learners["1100055"].is_apprentice and learners["1100055"].first_name == "Anne-Sophie"
    assert learners["1100072"].usage_name == "MARTIN-DURAND"
    assert learners["1100072"].display_last_name == "MARTIN-DURAND"
    assert learners["1100083"].mef_code is None and learners["1100083"].status_code is None
    homonyms = [learner for learner in result.learners if (learner.last_name, learner.first_name) == ("ROUX", "Yanis")]
    assert len(homonyms) == 2
    bundle = read_uploads(uploads(SMALL / "ElevesSansAdresses.xml"), UAI, TODAY)
    created = {learner.siecle_id for learner in learners_to_create(bundle, TODAY)}
    assert created == set(learners) - {"1100015", "1100024"}


def test_mef_labels_come_from_the_sts_file():
    bundle = read_uploads(uploads(SMALL / "sts_emp_0999999F_2026.xml", SMALL / "ElevesSansAdresses.xml"), UAI, TODAY)
    learners = by_id(bundle.learners.learners)
    assert learners["1100000"].mef_label == "2NDPRO METIERS ELECTRICITE ENVIRONNEMENTS CONNECTES"
    assert learners["1100083"].mef_label is None  # no CODE_MEF

    alone = parse_learners(SMALL / "ElevesSansAdresses.xml")
    assert by_id(alone.learners)["1100000"].mef_label is None
    labelled = with_mef_labels(alone, {"24725510310": "2NDPRO MELEC"})
    assert by_id(labelled.learners)["1100000"].mef_label == "2NDPRO MELEC"


def test_small_sts_file_records():
    result = parse_sts(SMALL / "sts_emp_0999999F_2026.zip", expected_uai=UAI, today=TODAY)

    assert result.ok and result.problems == ()
    assert (result.header.uai, result.header.school_year) == (UAI, 2026)
    assert result.header.file == "sts_emp_0999999F_2026.xml (dans sts_emp_0999999F_2026.zip)"
    assert result.header.establishment_name == "LP LYCEE PROFESSIONNEL IMAGINAIRE"
    assert [d.code for d in result.divisions] == ["2MELEC1", "1MELEC1", "TMELEC1", "1CAPPRO", "2CAPPRO", "3PM"]
    assert result.divisions[0].label == "2NDE PRO MELEC 1"
    assert result.divisions[0].mef_codes == ("24725510310",)
    assert [(g.code, g.division_codes) for g in result.groups] == [
        ("2MEL-AP1", ("2MELEC1",)),
        ("2MEL-AP2", ("2MELEC1",)),
        ("TMEL-ANG", ("TMELEC1",)),
    ]
    assert result.groups[0].label == "GROUPE 2MEL-AP1"
    assert len(result.teachers) == 8
    assert [head.sts_id for head in result.heads] == ["41500"]
    assert len(result.staff) == 10

    staff = {member.sts_id: member for member in result.staff}
    teacher = staff["41000"]
    assert (teacher.civility, teacher.last_name, teacher.first_name, teacher.sex) == ("MME", "CHEVALIER", "MAËLYS", "F")
    assert teacher.birth_date == date(1965, 10, 19)
    assert teacher.function == "ENS" and teacher.is_teacher
    assert [(d.code, d.label) for d in teacher.disciplines] == [("P6500", "GENIE ELECTRIQUE")]
    assert teacher.divisions == ("2MELEC1", "3PM")
    assert teacher.groups == ("2MEL-AP1", "2MEL-AP2", "TMEL-ANG")
    assert teacher.main_teacher_of == ("2MELEC1",)

    local = staff["3506"]  # TYPE="local", sparse
    assert (local.sts_type, local.function, local.birth_date, local.birth_name) == ("local", None, None, None)
    assert (local.last_name, local.civility) == ("VACATAIRE", "MLLE")

    assert result.mefs["24725510310"].label == "2NDPRO METIERS ELECTRICITE ENVIRONNEMENTS CONNECTES"
    assert result.subjects["030201"].label == "ANGLAIS LV1"
    service = result.services[0]
    assert (service.structure_code, service.structure_kind, service.subject_code, service.teacher_ids) == (
        "2MELEC1",
        "division",
        "030201",
        ("41000",),
    )


def test_small_guardians_file_records():
    result = parse_guardians(SMALL / "ResponsablesAvecAdresses.zip", expected_uai=UAI, today=TODAY)

    assert result.ok and result.problems == ()
    assert result.header.version == "1.10"
    assert len(result.guardians) == 25 and len(result.links) == 26
    guardians = {guardian.siecle_id: guardian for guardian in result.guardians}
    mother = guardians["2300007"]
    assert (mother.civility, mother.last_name, mother.first_name, mother.phone_mobile) == (
        "MME",
        "RICHARD",
        "Léa",
        "+33695966766",
    )
    assert mother.email is None and mother.phone_home is None
    assert mother.address.lines == ("37 RUE DES ÉCOLES",)
    assert (mother.address.postal_code, mother.address.city, mother.address.country) == ("31000", "TOULOUSE", "FRANCE")
    assert {link.learner_siecle_id for link in result.links if link.guardian_siecle_id == "2300007"} == {
        "1100000",
        "1100083",
    }
    contacts = [link for link in result.links if link.legal_rank == 0]
    assert len(contacts) == 3 and not any(link.is_legal for link in contacts)
    first = result.links[0]
    assert (first.legal_rank, first.relationship_code, first.relationship_label, first.financial) == (
        1,
        "20",
        "MÈRE",
        True,
    )
    # Two persons at one postal address keep distinct ADRESSE_IDs.
    by_address: dict[tuple, set[str]] = {}
    for guardian in result.guardians:
        if guardian.address and guardian.address.lines:
            by_address.setdefault((guardian.address.lines, guardian.address.postal_code), set()).add(
                guardian.address_id
            )
    assert any(len(ids) >= 2 for ids in by_address.values())


# --- Pix fixtures ----------------------------------------------------------------------------------------------


@needs_pix
def test_pix_two_valid_students():
    result = parse_learners(PIX / "siecle-with-two-valid-students.xml", today=TODAY)

    assert result.ok
    assert result.header.uai == "123ABC" and result.header.school_year is None
    [missing_year] = result.problems  # warning only: the year cannot be checked
    assert missing_year.severity == "warning"
    assert "année scolaire est absente" in str(missing_year)
    assert "siecle-with-two-valid-students.xml, ligne 4" in str(missing_year)
    first, second = result.learners
    assert (first.siecle_id, first.ine, first.last_name, first.other_first_names) == (
        "0001",
        "00000000123",
        "HANDMADE",
        ("Léa", "Lucy"),
    )
    assert first.is_apprentice and first.sex == "F" and first.division == "4A"
    assert second.usage_name == "COJAUNE" and second.status_code == "ST"
    assert second.groups == ("42",) and second.division == "4A"
    assert second.other_first_names == ("Cocœ",)  # ISO-8859-15 œ
    assert second.birth_date == date(1994, 7, 1)


@needs_pix
def test_pix_school_year_is_read_and_an_old_year_is_a_warning():
    result = parse_learners(PIX / "siecle-with-two-valid-students-and-school-year.xml", today=TODAY)

    assert result.header.school_year == 2016
    assert result.ok and len(result.learners) == 2
    [old] = result.problems
    assert old.severity == "warning"
    assert "2016-2017" in old.message and "2026-2027" in old.message


@needs_pix
def test_pix_learner_without_ine_is_flagged_not_refused():
    result = parse_learners(PIX / "siecle-with-no-national-student-id.xml")

    assert result.ok and result.problems == ()
    [learner] = result.learners
    assert learner.ine is None and not learner.transferable


@needs_pix
def test_pix_duplicate_ine_is_an_error_naming_both_records():
    result = parse_learners(PIX / "siecle-with-duplicate-national-student-id.xml")

    assert not result.ok
    [problem] = [p for p in result.problems if p.is_error]
    text = str(problem)
    assert text.startswith("siecle-with-duplicate-national-student-id.xml, ligne 24, apprenant 0002 COVERT Harry : ")
    assert "INE 00000000123 en double" in text
    assert "apprenant 0001 HANDMADE Luciole" in text and "ligne 8" in text


@needs_pix
def test_pix_registrations_no_longer_in_school():
    result = parse_learners(PIX / "siecle-with-registrations-no-longer-in-school.xml")

    assert result.ok
    learners = by_id(result.learners)
    assert learners["0005"].exit_date == date(2019, 9, 1) and learners["0005"].has_left(TODAY)
    assert [learner.siecle_id for learner in result.learners if learner.exit_date] == ["0005"]
    assert learners["0003"].ine is None
    assert (learners["0004"].division, learners["0004"].groups) == (None, ("4e 1",))  # group only
    assert learners["0002"].division == "Inactifs"
    assert learners["0003"].last_name == "FRANCIS--FROUFROU"


# --- helpers of the public API -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "year"),
    [(date(2026, 11, 23), 2026), (date(2026, 8, 1), 2026), (date(2026, 7, 31), 2025), (date(2027, 1, 5), 2026)],
)
def test_expected_school_year(today, year):
    assert expected_school_year(today) == year


def test_detect_kind_reads_the_root_element_not_the_name():
    assert detect_kind(SMALL / "sts_emp_0999999F_2026.xml") is FileKind.STS
    assert detect_kind((SMALL / "ElevesSansAdresses.xml").read_bytes(), "renamed.txt") is FileKind.LEARNERS
    assert detect_kind(SMALL / "ResponsablesAvecAdresses.zip") is FileKind.GUARDIANS
    assert detect_kind(b"<html/>") is None
    assert detect_kind(b"") is None


def test_a_renamed_file_is_recognised_by_content():
    bundle = read_uploads([("sts_emp_0999999F_2026.xml", SMALL / "ElevesSansAdresses.xml")], UAI, TODAY)
    assert bundle.ok and bundle.sts is None and len(bundle.learners.learners) == 12


# --- CSV « hors SIECLE » ---------------------------------------------------------------------------------------


def test_csv_semicolon_utf8_with_bom():
    content = (
        "\ufeffNom;Prénom;Date de naissance;INE;Classe;Sexe;Groupes\n"
        "DUPONT;Marie;14/03/2009;1234567890a;2MELEC1;F;2MEL-AP1|LV2\n"
        "N'DIAYE;Aïssatou;2008-12-01;;1MELEC1;2;\n"
    ).encode()
    result = parse_learners_csv(content, name="eleves.csv")

    assert result.ok and result.problems == ()
    first, second = result.learners
    assert (first.siecle_id, first.ine, first.last_name, first.first_name) == (None, "1234567890A", "DUPONT", "Marie")
    assert (first.birth_date, first.division, first.groups, first.sex) == (
        date(2009, 3, 14),
        "2MELEC1",
        ("2MEL-AP1", "LV2"),
        "F",
    )
    assert (second.first_name, second.birth_date, second.ine, second.sex) == ("Aïssatou", date(2008, 12, 1), None, "F")
    assert not second.transferable


def test_csv_comma_cp1252():
    content = "nom,prenom,date_naissance,classe,sexe\nLEFÈVRE,Zoé,01/02/2010,2CAP,M\n".encode("cp1252")
    result = parse_learners_csv(io.BytesIO(content), name="hors-siecle.csv")

    assert result.ok
    [learner] = result.learners
    assert (learner.last_name, learner.first_name, learner.sex, learner.division) == ("LEFÈVRE", "Zoé", "M", "2CAP")


def test_csv_problems_name_the_line():
    content = (
        "nom;prenom;date_naissance;ine;sexe\n"
        "DUPONT;Marie;31/02/2009;;F\n"
        ";Paul;01/01/2009;;M\n"
        "MARTIN;Léo;01/01/2009;1234567890A;X\n"
        "\n"
        "DURAND;Léa;02/01/2009;1234567890A;F\n"
        "MARTIN;Léo;01/01/2009;;M\n"
        "PETIT;Jade;01/01/2009;12AB;F\n"
    ).encode()
    result = parse_learners_csv(content, name="liste.csv")

    assert not result.ok
    texts = [str(p) for p in result.problems]
    assert any(
        t.startswith("liste.csv, ligne 2, apprenant DUPONT Marie : date de naissance illisible « 31/02/2009 »")
        for t in texts
    )
    assert any(t.startswith("liste.csv, ligne 3, apprenant Paul : nom absent") for t in texts)
    assert any(t.startswith("liste.csv, ligne 4, apprenant MARTIN Léo : sexe « X » non reconnu") for t in texts)
    assert any(
        t.startswith("liste.csv, ligne 6, apprenant DURAND Léa : INE 1234567890A en double : déjà donné ligne 4")
        for t in texts
    )
    assert any(
        t.startswith("liste.csv, ligne 7, apprenant MARTIN Léo : même nom, prénom et date de naissance") for t in texts
    )
    assert any(t.startswith("liste.csv, ligne 8, apprenant PETIT Jade : INE « 12AB » invalide") for t in texts)
    assert [learner.last_name for learner in result.learners] == ["MARTIN", "MARTIN"]


def test_csv_header_is_required():
    result = parse_learners_csv(b"DUPONT;Marie;14/03/2009\n", name="sans-entete.csv")
    assert not result.ok
    [problem] = result.problems
    assert "sans-entete.csv, ligne 1" in str(problem)
    assert "colonne(s) obligatoire(s) absente(s)" in problem.message and "nom;prenom;date_naissance" in problem.message


def test_csv_refuses_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    result = parse_learners_csv(buffer.getvalue(), name="eleves.xlsx")
    assert not result.ok and "pas un fichier CSV" in str(result.problems[0])


# --- synthetic generator (benchmark input) -------------------------------------------------------------------


def test_synthetic_exports_round_trip(tmp_path):
    paths = generate_synthetic_exports(120, 200, 15, 8, "0123456A", 2026, tmp_path)

    for path in paths.values():
        assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    bundle = read_uploads(uploads(*paths.values()), "0123456A", TODAY)
    assert bundle.ok, [str(p) for p in bundle.problems]
    assert len(bundle.learners.learners) == 120
    assert len(bundle.guardians.guardians) == 200
    assert len(bundle.sts.teachers) == 15 and len(bundle.sts.heads) == 1
    assert len(bundle.sts.divisions) == 8
    assert {link.guardian_siecle_id for link in bundle.guardians.links} == {
        g.siecle_id for g in bundle.guardians.guardians
    }
    assert any("Œ" in learner.last_name for learner in bundle.learners.learners)
    assert bundle.learners.without_ine


def test_synthetic_benchmark_size_parses_quickly(tmp_path):
    paths = generate_synthetic_exports(3000, 5000, 250, 40, UAI, 2026, tmp_path, zipped=True)

    started = time.perf_counter()
    bundle = read_uploads(uploads(*paths.values()), UAI, TODAY)
    elapsed = time.perf_counter() - started

    assert bundle.ok
    assert len(bundle.learners.learners) == 3000 and len(bundle.guardians.guardians) == 5000
    assert len(bundle.sts.teachers) == 250
    assert elapsed < 20, f"parse took {elapsed:.1f} s"  # about 1.5 s on the dev machine
