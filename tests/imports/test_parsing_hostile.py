"""Hostile and broken uploads: each is refused (or flagged) with a French message naming file and line/record."""

import io
import stat
import struct
import time
import zipfile
import zlib
from datetime import date

import pytest

from imports.parsing import FileKind, Limits, Upload, parse_guardians, parse_learners, parse_sts, read_uploads
from imports.parsing.safety import CappedReader, XmlReader
from imports.parsing.synthetic import generate_synthetic_exports
from tests.import_samples import SMALL

UAI = "0999999F"
TODAY = date(2026, 11, 23)


def learners_xml(records: str, *, encoding: str = "ISO-8859-15", uai: str = UAI, year: int = 2026) -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<BEE_ELEVES VERSION="2.2">\n'
        f"  <PARAMETRES>\n    <UAJ>{uai}</UAJ>\n    <ANNEE_SCOLAIRE>{year}</ANNEE_SCOLAIRE>\n  </PARAMETRES>\n"
        f"  <DONNEES>\n    <ELEVES>\n{records}    </ELEVES>\n  </DONNEES>\n</BEE_ELEVES>\n"
    )


def learner(eleve_id: str, ine: str, last: str, first: str) -> str:
    return (
        f'      <ELEVE ELEVE_ID="{eleve_id}">\n        <ID_NATIONAL>{ine}</ID_NATIONAL>\n'
        f"        <NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE>\n        <PRENOM>{first}</PRENOM>\n"
        "        <DATE_NAISS>01/02/2010</DATE_NAISS>\n      </ELEVE>\n"
    )


def zip_bytes(*members: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def deflate_bomb(name: str, size: int) -> bytes:
    """A ZIP whose single member inflates to `size` zero bytes (honest headers), built without compressing it."""
    chunk = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * (size // chunk) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    zeros = bytes(chunk)
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    encoded = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, 0
    )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(encoded), len(local) + len(encoded) + len(data), 0
    )
    return local + encoded + data + central + encoded + end


def problems_text(bundle) -> list[str]:
    return [str(problem) for problem in bundle.problems]


def only_error(bundle):
    errors = bundle.errors
    assert len(errors) == 1, problems_text(bundle)
    return errors[0]


# --- XML attacks ---------------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE BEE_ELEVES [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    )
    + b"]>\n<BEE_ELEVES><PARAMETRES><UAJ>&lol9;</UAJ></PARAMETRES></BEE_ELEVES>\n"
)
XXE = (
    b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
    b'<!DOCTYPE BEE_ELEVES [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<BEE_ELEVES><PARAMETRES><UAJ>&x;</UAJ></PARAMETRES><DONNEES><ELEVES>"
    b'<ELEVE ELEVE_ID="1"><NOM_DE_FAMILLE>&x;</NOM_DE_FAMILLE><PRENOM>A</PRENOM></ELEVE>'
    b"</ELEVES></DONNEES></BEE_ELEVES>\n"
)
EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE BEE_ELEVES SYSTEM "http://127.0.0.1:9/evil.dtd">\n<BEE_ELEVES/>\n'


@pytest.mark.parametrize(
    ("content", "line"), [(BILLION_LAUGHS, 14), (XXE, 3), (EXTERNAL_DTD, 3)], ids=["lol", "xxe", "dtd"]
)
def test_doctype_is_refused(content, line):
    started = time.perf_counter()
    bundle = read_uploads([("ElevesSansAdresses.xml", content)], None, TODAY)

    assert time.perf_counter() - started < 2
    assert not bundle.ok and bundle.learners is None
    problem = only_error(bundle)
    assert str(problem).startswith(
        f"ElevesSansAdresses.xml, ligne {line} : fichier XML non conforme (DOCTYPE interdit)"
    )
    assert "root:" not in " ".join(problems_text(bundle))


def test_deep_nesting_is_refused():
    content = b"<BEE_ELEVES>" + b"<a>" * 300 + b"</a>" * 300 + b"</BEE_ELEVES>"
    problem = only_error(read_uploads([("eleves.xml", content)], None, TODAY))
    assert problem.file == "eleves.xml" and "imbrication" in problem.message


# --- ZIP attacks ---------------------------------------------------------------------------------------------


def test_zip_bomb_of_one_gigabyte_is_refused_without_inflating_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bomb = deflate_bomb("ElevesSansAdresses.xml", 1 << 30)
    assert len(bomb) < 2_000_000
    started = time.perf_counter()
    bundle = read_uploads([("Siecle.zip", bomb)], UAI, TODAY)

    assert time.perf_counter() - started < 2
    problem = only_error(bundle)
    assert str(problem).startswith("Siecle.zip : « ElevesSansAdresses.xml » est trop volumineux une fois décompressé")
    assert list(tmp_path.iterdir()) == []  # nothing extracted


def test_zip_bomb_under_the_size_cap_is_refused_for_its_ratio():
    bomb = deflate_bomb("ElevesSansAdresses.xml", 64 << 20)
    problem = only_error(read_uploads([("Siecle.zip", bomb)], UAI, TODAY))
    assert "taux de compression anormal" in str(problem) and str(problem).startswith("Siecle.zip : ")


def test_the_byte_counter_stops_a_stream_past_its_caps():
    with pytest.raises(Exception, match="trop volumineux") as caught:
        reader = CappedReader(io.BytesIO(bytes(3 << 20)), file="x.xml", cap=2 << 20)
        while reader.read(65536):
            pass
    assert caught.value.problem.file == "x.xml"
    with pytest.raises(Exception, match="taux de compression anormal"):
        reader = CappedReader(io.BytesIO(bytes(3 << 20)), file="x.xml", cap=10 << 20, compressed_size=1000)
        while reader.read(65536):
            pass


def test_a_plain_file_past_the_size_cap_is_refused_while_streaming():
    result = parse_learners(SMALL / "ElevesSansAdresses.xml", limits=Limits(max_file_size=10_000))
    assert not result.ok
    assert any("ElevesSansAdresses.xml : fichier trop volumineux" in str(p) for p in result.problems)


@pytest.mark.parametrize(
    "name", ["../../evil.xml", "/tmp/evil.xml", "..\\..\\evil.xml", "C:/evil.xml", "a/../../b.xml"]
)
def test_zip_slip_names_are_refused(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = zip_bytes((name, (SMALL / "ElevesSansAdresses.xml").read_bytes()))
    problem = only_error(read_uploads([("eleves.zip", content)], UAI, TODAY))
    assert (
        str(problem) == f"eleves.zip : l'archive contient un nom de fichier dangereux (« {name} ») : archive refusée."
    )
    assert list(tmp_path.iterdir()) == []


def test_too_many_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(10_000):
            archive.writestr(f"f{index}.xml", b"<a/>")
    problem = only_error(read_uploads([("many.zip", buffer.getvalue())], UAI, TODAY))
    assert str(problem).startswith("many.zip : l'archive contient 10000 fichiers, c'est trop (au plus 10)")


def test_symlink_and_encrypted_members_are_refused():
    link = zipfile.ZipInfo("ElevesSansAdresses.xml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    problem = only_error(read_uploads([("link.zip", zip_bytes((link, b"/etc/passwd")))], UAI, TODAY))
    assert "lien symbolique" in problem.message

    data = bytearray(zip_bytes(("ElevesSansAdresses.xml", b"<BEE_ELEVES/>")))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        data[position + offset] |= 0x01
    problem = only_error(read_uploads([("locked.zip", bytes(data))], UAI, TODAY))
    assert "protégé par un mot de passe" in problem.message


def test_corrupt_and_office_archives_are_refused():
    content = (SMALL / "Siecle_ElevesEtResponsables.zip").read_bytes()
    problem = only_error(read_uploads([("cut.zip", content[: len(content) // 2])], UAI, TODAY))
    assert str(problem) == "cut.zip : archive ZIP illisible ou corrompue."

    office = zip_bytes(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"))
    problem = only_error(read_uploads([("eleves.xlsx", office)], UAI, TODAY))
    assert "document bureautique" in problem.message


def test_mac_junk_is_skipped_and_other_members_are_warned_about():
    content = zip_bytes(
        ("ElevesSansAdresses.xml", (SMALL / "ElevesSansAdresses.xml").read_bytes()),
        ("__MACOSX/._ElevesSansAdresses.xml", b"\x00\x05\x16\x07 binary"),
        ("lisez-moi.txt", b"hello"),
    )
    bundle = read_uploads([("export.zip", content)], UAI, TODAY)
    assert bundle.ok and len(bundle.learners.learners) == 12
    assert problems_text(bundle) == ["export.zip : « lisez-moi.txt » n'est pas un fichier XML : il est ignoré."]

    nested = zip_bytes(("inner.zip", (SMALL / "ResponsablesAvecAdresses.zip").read_bytes()))
    assert "ne contient aucun fichier XML" in str(only_error(read_uploads([("nested.zip", nested)], UAI, TODAY)))


# --- broken files --------------------------------------------------------------------------------------------


def test_truncated_file_is_refused_with_its_line():
    content = (SMALL / "ElevesSansAdresses.xml").read_bytes()
    bundle = read_uploads([("ElevesSansAdresses.xml", content[: len(content) // 2])], UAI, TODAY)

    assert not bundle.ok
    problem = only_error(bundle)
    assert problem.file == "ElevesSansAdresses.xml" and problem.line and problem.line > 100
    assert f"ligne {problem.line}" in str(problem)
    assert "fichier XML incomplet" in problem.message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "eleves.xml : le fichier est vide (0 octet)."),
        (b"%PDF-1.7\n\x00\x01garbage", "ni un fichier XML ni une archive ZIP"),
        (b"   \n  ", "ni un fichier XML ni une archive ZIP"),
        (zip_bytes(("ElevesSansAdresses.xml", b"")), "ElevesSansAdresses.xml (dans eleves.xml) : le fichier est vide."),
    ],
    ids=["empty", "garbage", "blank", "empty-member"],
)
def test_empty_and_garbage_files_are_refused(content, expected):
    problem = only_error(read_uploads([("eleves.xml", content)], UAI, TODAY))
    assert expected in str(problem)


def test_reverse_direction_edt_sts_file_is_refused_with_an_explanation():
    content = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<EDT_STS>\n<PARAMETRES/>\n</EDT_STS>\n'
    problem = only_error(read_uploads([("emp_sts_0999999F_2026.xml", content, FileKind.STS)], UAI, TODAY))
    assert str(problem).startswith("emp_sts_0999999F_2026.xml, ligne 2 : ce fichier est un export d'un logiciel")
    assert "sens inverse" in problem.message and "sts_emp_<UAI>_<année>.xml" in problem.message


def test_unknown_xml_is_refused_naming_its_root():
    problem = only_error(read_uploads([("page.xml", b"<html><body/></html>")], UAI, TODAY))
    assert "élément racine « html »" in str(problem)


# --- wrong file ----------------------------------------------------------------------------------------------


def test_wrong_kind_for_the_field_is_refused():
    bundle = read_uploads(
        [Upload("ElevesSansAdresses.xml", SMALL / "ElevesSansAdresses.xml", FileKind.STS)], UAI, TODAY
    )

    assert bundle.learners is None and bundle.sts is None
    assert str(only_error(bundle)) == (
        "ElevesSansAdresses.xml, ligne 2 : ce fichier est le fichier des élèves (ElevesSansAdresses), "
        "pas le fichier STS-web des enseignants (sts_emp) attendu."
    )
    field = frozenset({FileKind.LEARNERS, FileKind.GUARDIANS})
    bundle = read_uploads([Upload("eleves.zip", SMALL / "sts_emp_0999999F_2026.zip", field)], UAI, TODAY)
    assert "pas l'un des fichiers attendus : le fichier des élèves" in str(only_error(bundle))

    result = parse_sts(SMALL / "ResponsablesAvecAdresses.xml")
    assert not result.ok and result.header is None
    assert "ce fichier est le fichier des responsables" in str(result.problems[0])


@pytest.mark.parametrize(
    ("parse", "name", "line"),
    [
        (parse_sts, "sts_emp_0999999F_2026.xml", 4),
        (parse_learners, "ElevesSansAdresses.xml", 4),
        (parse_guardians, "ResponsablesAvecAdresses.xml", 4),
    ],
)
def test_file_of_another_establishment_is_refused(parse, name, line):
    result = parse(SMALL / name, expected_uai="0123456a", today=TODAY)

    assert not result.ok
    assert result.header.uai == UAI
    assert str(only_error(result)) == (
        f"{name}, ligne {line}, en-tête du fichier : ce fichier concerne l'établissement 0999999F, pas le vôtre "
        "(0123456A) : exportez le fichier depuis votre établissement."
    )
    assert getattr(result, "learners", ()) == () and getattr(result, "staff", ()) == ()  # reading stopped


def test_files_of_two_establishments_together_are_refused():
    other = learners_xml(learner("1", "1234567890A", "DUPONT", "Marie"), uai="0123456A")
    bundle = read_uploads(
        [("eleves.xml", other.encode("iso-8859-15")), ("resp.xml", SMALL / "ResponsablesAvecAdresses.xml")], None, TODAY
    )
    assert "ne concernent pas le même établissement : 0123456A (eleves.xml), 0999999F (resp.xml)" in str(
        only_error(bundle)
    )


def test_old_and_future_school_years_are_warnings():
    files = [(path.name, path) for path in (SMALL / "sts_emp_0999999F_2026.xml", SMALL / "ElevesSansAdresses.xml")]
    bundle = read_uploads(files, UAI, date(2028, 1, 10))
    assert bundle.ok  # warnings only
    assert len(bundle.warnings) == 2
    assert problems_text(bundle)[1] == (
        "ElevesSansAdresses.xml, ligne 4, en-tête du fichier : ce fichier est celui de l'année scolaire 2026-2027, "
        "alors que l'année en cours est 2027-2028 : c'est sans doute un ancien export ; exportez le fichier de "
        "l'année en cours."
    )
    bundle = read_uploads(files, UAI, date(2026, 6, 15))
    assert bundle.ok and all("n'a pas encore commencé" in p.message for p in bundle.warnings)


def test_two_files_of_the_same_kind_are_refused():
    bundle = read_uploads(
        [("a.xml", SMALL / "ElevesSansAdresses.xml"), ("b.zip", SMALL / "ExportXML_ElevesSansAdresses.zip")], UAI, TODAY
    )
    assert str(only_error(bundle)) == (
        "ElevesSansAdresses.xml (dans b.zip) : ce fichier est le fichier des élèves (ElevesSansAdresses), déjà reçu "
        "avec « a.xml » : envoyez un seul fichier de chaque sorte."
    )


# --- records -------------------------------------------------------------------------------------------------


def test_duplicate_eleve_id_names_both_records():
    content = learners_xml(
        learner("42", "1234567890A", "DUPONT", "Marie") + learner("42", "2234567890B", "MARTIN", "Léo")
    )
    result = parse_learners(content.encode("iso-8859-15"), name="ElevesSansAdresses.xml")

    assert not result.ok
    assert str(only_error(result)) == (
        "ElevesSansAdresses.xml, ligne 15, apprenant 42 MARTIN Léo : ELEVE_ID 42 en double : il est déjà utilisé "
        "ligne 9 par « apprenant 42 DUPONT Marie »."
    )


def test_duplicate_ine_names_both_records():
    content = learners_xml(
        learner("1", "1234567890A", "DUPONT", "Marie") + learner("2", "1234567890A", "MARTIN", "Léo")
    )
    problem = only_error(parse_learners(content.encode("iso-8859-15"), name="e.xml"))
    assert str(problem).startswith("e.xml, ligne 15, apprenant 2 MARTIN Léo : INE 1234567890A en double")
    assert "« apprenant 1 DUPONT Marie » (ligne 9)" in str(problem)


def test_learner_without_ine_is_accepted_and_flagged():
    content = learners_xml(learner("1", "", "DUPONT", "Marie") + learner("2", "2234567890B", "MARTIN", "Léo"))
    result = parse_learners(content.encode("iso-8859-15"))
    assert result.ok and result.problems == ()
    assert [lrn.transferable for lrn in result.learners] == [False, True]


def test_empty_learners_file_is_refused():
    problem = only_error(parse_learners(learners_xml("").encode(), name="vide.xml"))
    assert str(problem) == "vide.xml : le fichier ne contient aucun apprenant."


def test_links_to_unknown_learners_are_reported():
    guardians = (
        (SMALL / "ResponsablesAvecAdresses.xml").read_bytes().replace(b"<ELEVE_ID>1100083<", b"<ELEVE_ID>9999999<")
    )
    bundle = read_uploads(
        [("ElevesSansAdresses.xml", SMALL / "ElevesSansAdresses.xml"), ("ResponsablesAvecAdresses.xml", guardians)],
        UAI,
        TODAY,
    )
    assert bundle.ok
    [warning] = bundle.warnings
    assert str(warning).startswith(
        "ResponsablesAvecAdresses.xml : 3 lien(s) désignent des apprenants absents du fichier des élèves"
    )
    assert "ELEVE_ID 9999999" in warning.message


# --- encodings -----------------------------------------------------------------------------------------------


def test_utf8_file_with_bom_is_read():
    original = (SMALL / "ElevesSansAdresses.xml").read_bytes()
    text = original.decode("iso-8859-15").replace('encoding="ISO-8859-15"', 'encoding="UTF-8"')
    bundle = read_uploads([("ElevesSansAdresses.xml", b"\xef\xbb\xbf" + text.encode("utf-8"))], UAI, TODAY)

    assert bundle.ok and bundle.problems == ()
    assert bundle.learners.learners == parse_learners(original).learners
    assert bundle.learners.learners[0].first_name == "Kévin"


def test_iso_8859_15_prolog_decides_oe_and_euro():
    records = learner("1", "1234567890A", "CŒUR", "Zoé") + learner("2", "2234567890B", "BŒUF", "€lodie")
    content = learners_xml(records).encode("iso-8859-15")
    assert b"\xbc" in content and b"\xa4" in content  # Œ and € in ISO-8859-15

    names = [(lrn.last_name, lrn.first_name) for lrn in parse_learners(content).learners]
    assert names == [("CŒUR", "Zoé"), ("BŒUF", "€lodie")]
    latin1 = content.replace(b'encoding="ISO-8859-15"', b'encoding="ISO-8859-1"')
    assert parse_learners(latin1).learners[0].last_name == "C¼UR"  # same bytes, other prolog


def test_utf8_bytes_behind_an_iso_prolog_are_refused():
    content = learners_xml(learner("7", "1234567890A", "LEFÈVRE", "Zoé")).encode("utf-8")
    problem = only_error(parse_learners(content, name="resaved.xml"))
    assert str(problem).startswith(
        "resaved.xml, ligne 9, apprenant 7 LEFÃ\u0088VRE ZoÃ© : caractères accentués mal encodés"
    )


# --- streaming -----------------------------------------------------------------------------------------------


def test_memory_stays_flat_records_are_freed_as_read(tmp_path):
    paths = generate_synthetic_exports(2000, 10, 2, 4, UAI, 2026, tmp_path)
    with open(paths["learners"], "rb") as handle:
        reader = XmlReader(handle, "ElevesSansAdresses.xml")
        root = reader.read_root()
        wanted = {"BEE_ELEVES/DONNEES/ELEVES/ELEVE", "BEE_ELEVES/DONNEES/STRUCTURES/STRUCTURES_ELEVE"}
        kept = count = 0
        for _path, element in reader.iter_ends(wanted):
            kept = max(kept, sum(1 for _ in element.itersiblings(preceding=True)))
            count += 1
    assert count == 2000 + 1999  # learners + memberships (one learner has no division)
    assert kept <= 1  # records already read are deleted as the file is read
    assert sum(1 for _ in root.iter()) < 20  # the whole tree is gone at the end


# --- control characters and malformed CSVs (issue 9, items 6 and 9) ------------------------------------------


@pytest.mark.parametrize("reference", ["&#x85;", "&#x92;", "&#x7f;"])
def test_invisible_control_character_in_an_xml_name_is_refused_with_its_line(reference):
    records = learner("1", "1234567890A", "DUPONT", "Marie") + learner("2", "1234567890B", f"MAR{reference}TIN", "Léa")
    result = parse_learners(learners_xml(records).encode("iso-8859-15"), name="eleves.xml", expected_uai=UAI)
    problem = only_error(result)
    code = reference[3:-1].upper().zfill(4)
    assert str(problem).startswith(f"eleves.xml, ligne 17 : caractère de contrôle invisible U+{code} dans "
                                   "NOM_DE_FAMILLE")


def test_control_character_in_an_xml_attribute_is_refused():
    records = learner("1&#x1b;", "1234567890A", "DUPONT", "Marie").replace("&#x1b;", "\x9b")
    content = learners_xml(records, encoding="UTF-8").encode("utf-8")
    result = parse_learners(content, name="eleves.xml")
    assert "caractère de contrôle invisible U+009B dans ELEVE/@ELEVE_ID" in only_error(result).message


CSV_HEADER = "nom;prenom;date_naissance\r\n"


def csv_problems(content: bytes) -> list[str]:
    from imports.parsing import parse_learners_csv

    result = parse_learners_csv(content, name="apprenants.csv")
    assert not result.learners or any(p.is_error for p in result.problems)
    return [p.text for p in result.problems if p.is_error]


def test_nul_byte_after_the_first_4_kib_of_a_csv_is_refused_with_its_line():
    rows = "".join(f"NOM{i};Prénom;14/03/2009\r\n" for i in range(300))  # well past 4 KiB
    content = (CSV_HEADER + rows + "DU\x00PONT;Léa;01/01/2009\r\n").encode()
    assert csv_problems(content) == ["apprenants.csv, ligne 302 : la colonne « nom » contient un caractère de "
                                     "contrôle invisible (U+0000) : corrigez la case dans votre tableur."]


def test_line_break_inside_a_csv_cell_is_refused():
    content = (CSV_HEADER + 'DUPONT;"Ma\nrie";14/03/2009\r\n').encode()
    assert csv_problems(content) == ["apprenants.csv, ligne 3 : la colonne « prenom » contient un retour à la "
                                     "ligne : corrigez la case dans votre tableur."]


@pytest.mark.parametrize("tail", [b"\x00\xd8A\x00", b"A"], ids=["lone-surrogate", "odd-byte-count"])
def test_broken_utf16_csv_is_a_clear_refusal(tail):
    content = b"\xff\xfe" + (CSV_HEADER + "DUPONT;Marie;14/03/2009\r\n").encode("utf-16-le") + tail
    [problem] = csv_problems(content)
    assert problem.startswith("apprenants.csv, ligne 3 : fichier UTF-16 abîmé")


@pytest.mark.parametrize("row", ["X" * 140_000 + ";Léa;01/01/2009\r\n", '"X;Léa;01/01/2009\r\n' + "Y" * 140_000],
                         ids=["huge-cell", "unclosed-quote"])
def test_csv_cell_over_the_field_limit_is_a_clear_refusal(row):
    content = (CSV_HEADER + "DUPONT;Marie;14/03/2009\r\n" + row).encode()
    [problem] = csv_problems(content)
    assert "une case dépasse 131\u202f072 caractères : un guillemet n'est sans doute pas refermé" in problem
    assert ", ligne " in problem
