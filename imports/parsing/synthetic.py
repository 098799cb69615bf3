"""Synthetic SIECLE / STS-web exports in the real formats (ISO-8859-15, element order of real exports).

Fake data only, for benchmarks and tests:
`generate_synthetic_exports(3000, 5000, 250, 40, "0999999F", 2026, out_dir)`.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

ENCODING = "iso-8859-15"
LAST_NAMES = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFÈVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRÉ",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANÇOIS",
    "MARTINEZ",
    "BŒUF",
    "N'DIAYE",
    "LE GALL",
    "SAINT-CLAIR",
    "CŒURDEROY",
    "MÜLLER",
    "CHEVALIER",
    "ROUSSEAU",
    "FAURE",
    "BLANC",
]
FIRST_NAMES_M = ["Kévin", "Hugo", "Louis", "Nathan", "Yanis", "Maël", "Théo", "Noël", "Jérôme", "Léo", "Enzo"]
FIRST_NAMES_F = [
    "Emma",
    "Léa",
    "Chloé",
    "Zoé",
    "Maëlys",
    "Anne-Sophie",
    "Inès",
    "Clémence",
    "Héloïse",
    "Jade",
]
STREETS = [
    "RUE DES ÉCOLES",
    "AVENUE JEAN JAURÈS",
    "CHEMIN DES ŒILLETS",
    "RUE DE LA RÉPUBLIQUE",
    "PLACE DU MARCHÉ",
]
SUBJECTS = [
    ("030201", "AGL1", "ANGLAIS LV1"),
    ("020700", "FRANC", "FRANCAIS"),
    ("061300", "MATHS", "MATHEMATIQUES"),
    ("740100", "ENSPR", "ENSEIGNEMENT PROFESSIONNEL"),
]
MEFS = [
    ("24725510310", "2NDPRO", "2NDPRO METIERS ELECTRICITE ENVIRONNEMENTS CONNECTES", "2MELEC"),
    ("24725510320", "1ERPRO", "1ERPRO METIERS ELECTRICITE ENVIRONNEMENTS CONNECTES", "1MELEC"),
    ("24725510330", "TLEPRO", "TLEPRO METIERS ELECTRICITE ENVIRONNEMENTS CONNECTES", "TMELEC"),
    ("50033411210", "1CAP2", "1CAP2 PRODUCTION ET SERVICE EN RESTAURATION", "1CAP"),
    ("50033411220", "2CAP2", "2CAP2 PRODUCTION ET SERVICE EN RESTAURATION", "2CAP"),
]


def generate_synthetic_exports(
    n_learners: int,
    n_guardians: int,
    n_teachers: int,
    n_divisions: int,
    uai: str,
    year: int,
    out_dir: str | Path,
    *,
    seed: int = 0,
    zipped: bool = False,
) -> dict[str, Path]:
    """Write sts_emp_<uai>_<year>.xml, ElevesSansAdresses.xml and ResponsablesAvecAdresses.xml in `out_dir`.

    About 2 % of learners have no INE, 2 % have an exit date (half of them before the export date), one in
    ten is in a group, one has no division; every guardian is linked to at least one learner. With
    `zipped`, the files are also written as the ZIP archives SIECLE and STS-web hand out.
    Returns {"sts": path, "learners": path, "guardians": path} (the ZIP paths when `zipped`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)  # noqa: S311 - fake data, not security
    divisions = _division_codes(max(n_divisions, 1))
    groups = [(f"{code}-G{k}", code) for code in divisions[: max(1, len(divisions) // 4)] for k in (1, 2)]
    paths = {
        "sts": out / f"sts_emp_{uai}_{year}.xml",
        "learners": out / "ElevesSansAdresses.xml",
        "guardians": out / "ResponsablesAvecAdresses.xml",
    }
    with _open(paths["sts"]) as handle:
        _write_sts(handle, rng, n_teachers, divisions, groups, uai, year)
    with _open(paths["learners"]) as handle:
        _write_learners(handle, rng, n_learners, divisions, groups, uai, year)
    with _open(paths["guardians"]) as handle:
        _write_guardians(handle, rng, n_learners, n_guardians, uai, year)
    if not zipped:
        return paths
    archives = {
        "sts": out / f"sts_emp_{uai}_{year}.zip",
        "learners": out / "ExportXML_ElevesSansAdresses.zip",
        "guardians": out / "ResponsablesAvecAdresses.zip",
    }
    for key, archive in archives.items():
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(paths[key], paths[key].name)
    return archives


# --- helpers ------------------------------------------------------------------------------------------------


def _open(path: Path) -> TextIO:
    return open(path, "w", encoding=ENCODING, newline="\n")


def _division_codes(count: int) -> list[str]:
    codes = []
    for index in range(count):
        _code, _formation, _label, prefix = MEFS[index % len(MEFS)]
        codes.append(f"{prefix}{index // len(MEFS) + 1}")
    return codes


def _mef_of(division: str) -> str:
    for code, _formation, _label, prefix in MEFS:
        if division.startswith(prefix):
            return code
    return MEFS[0][0]


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _el(tag: str, value: object = "", indent: int = 8) -> str:
    return f"{' ' * indent}<{tag}>{escape(str(value))}</{tag}>\n"


def _header(uai: str, year: int, clock: str) -> str:
    return (
        "  <PARAMETRES>\n"
        + _el("UAJ", uai, 4)
        + _el("ANNEE_SCOLAIRE", year, 4)
        + _el("DATE_EXPORT", f"16/10/{year}", 4)
        + _el("HORODATAGE", f"16/10/{year} {clock}", 4)
        + "  </PARAMETRES>\n"
    )


def _ine(rng: random.Random) -> str:
    return f"{rng.randrange(10**9, 10**10)}{chr(65 + rng.randrange(26))}"


# --- STS-web ------------------------------------------------------------------------------------------------


def _write_sts(
    out: TextIO,
    rng: random.Random,
    n_teachers: int,
    divisions: list[str],
    groups: list[tuple[str, str]],
    uai: str,
    year: int,
) -> None:
    out.write(f'<?xml version="1.0" encoding="{ENCODING.upper()}"?>\n<STS_EDT>\n  <PARAMETRES>\n')
    out.write(
        f"    <UAJ CODE={quoteattr(uai)}>\n      <ACADEMIE>\n" + _el("CODE", "16", 8) + _el("LIBELLE", "TOULOUSE", 8)
    )
    out.write("      </ACADEMIE>\n")
    for tag, value in (
        ("SIGLE", "LP"),
        ("DENOM_PRINC", "LYCEE PROFESSIONNEL"),
        ("DENOM_COMPL", "SYNTHÉTIQUE"),
        ("CODE_NATURE", "320"),
        ("CODE_CATEGORIE", "1"),
        ("ADRESSE", "1 AVENUE DES METIERS"),
        ("COMMUNE", "TOULOUSE"),
        ("CODE_POSTAL", "31000"),
        ("BOITE_POSTALE", ""),
        ("CEDEX", "0"),
        ("TELEPHONE", "0500000001"),
        ("STATUT", "PU"),
        ("ETABLISSEMENT_SENSIBLE", "N"),
    ):
        out.write(_el(tag, value, 6))
    out.write(f'    </UAJ>\n    <ANNEE_SCOLAIRE ANNEE="{year}">\n')
    out.write(_el("DATE_DEBUT", f"{year}-09-02", 6) + _el("DATE_FIN", f"{year + 1}-07-04", 6))
    out.write("    </ANNEE_SCOLAIRE>\n  </PARAMETRES>\n  <NOMENCLATURES>\n    <MATIERES>\n")
    for code, short, label in SUBJECTS:
        out.write(f'      <MATIERE CODE="{code}">\n' + _el("CODE_GESTION", short) + _el("LIBELLE_COURT", label[:20]))
        out.write(_el("LIBELLE_LONG", label) + _el("LIBELLE_EDITION", label.capitalize()) + "      </MATIERE>\n")
    out.write("    </MATIERES>\n    <MEFS>\n")
    for code, formation, label, _prefix in MEFS:
        out.write(f'      <MEF CODE="{code}">\n' + _el("FORMATION", formation) + _el("LIBELLE_LONG", label))
        out.write(_el("LIBELLE_EDITION", label.capitalize()) + "      </MEF>\n")
    out.write("    </MEFS>\n    <CIVILITES>\n")
    for code, short, long in (("1", "M.", "MONSIEUR"), ("2", "MME", "MADAME"), ("3", "MLLE", "MADEMOISELLE")):
        out.write(f'      <CIVILITE CODE="{code}">\n' + _el("LIBELLE_COURT", short) + _el("LIBELLE_LONG", long))
        out.write("      </CIVILITE>\n")
    out.write("    </CIVILITES>\n  </NOMENCLATURES>\n  <DONNEES>\n    <INDIVIDUS>\n")
    teacher_ids = [str(41000 + 13 * index) for index in range(n_teachers)]
    for index, teacher_id in enumerate(teacher_ids):
        female = index % 2 == 0
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M).upper()
        name = rng.choice(LAST_NAMES)
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(12000))
        out.write(f'      <INDIVIDU ID="{teacher_id}" TYPE="epp">\n')
        out.write(_el("SEXE", 2 if female else 1) + _el("CIVILITE", 2 if female else 1) + _el("NOM_USAGE", name))
        out.write(_el("NOM_PATRONYMIQUE", name) + _el("PRENOM", first) + _el("DATE_NAISSANCE", born.isoformat()))
        out.write(_el("GRADE", "PLP CN") + _el("FONCTION", "ENS"))
        if index < len(divisions):
            out.write("        <PROFS_PRINC>\n          <PROF_PRINC>\n" + _el("CODE_STRUCTURE", divisions[index], 12))
            out.write(_el("DATE_DEBUT", f"{year}-09-02", 12) + _el("DATE_FIN", f"{year + 1}-07-04", 12))
            out.write("          </PROF_PRINC>\n        </PROFS_PRINC>\n")
        out.write('        <DISCIPLINES>\n          <DISCIPLINE CODE="P6500">\n')
        out.write(_el("LIBELLE_COURT", "GENIE ELECTRIQUE", 12) + _el("NB_HEURES", "18.00", 12))
        out.write("          </DISCIPLINE>\n        </DISCIPLINES>\n      </INDIVIDU>\n")
    out.write('      <INDIVIDU ID="41999" TYPE="epp">\n' + _el("SEXE", 1) + _el("CIVILITE", 1))
    out.write(_el("NOM_USAGE", "PROVISEUR") + _el("NOM_PATRONYMIQUE", "PROVISEUR") + _el("PRENOM", "ALAIN"))
    out.write(_el("DATE_NAISSANCE", "1970-01-01") + _el("GRADE", "PERDIR HC") + _el("FONCTION", "DIR"))
    out.write('      </INDIVIDU>\n      <INDIVIDU ID="3506" TYPE="local">\n' + _el("SEXE") + _el("CIVILITE", 3))
    out.write(_el("NOM_USAGE", "VACATAIRE") + _el("NOM_PATRONYMIQUE") + _el("PRENOM", "JULIE"))
    out.write("      </INDIVIDU>\n    </INDIVIDUS>\n    <STRUCTURE>\n      <DIVISIONS>\n")
    teachers = _cycle(teacher_ids)
    for code in divisions:
        out.write(f"        <DIVISION CODE={quoteattr(code)}>\n" + _el("LIBELLE_LONG", f"DIVISION {code}", 10))
        out.write(f'          <MEFS_APPARTENANCE>\n            <MEF_APPARTENANCE CODE="{_mef_of(code)}"/>\n')
        out.write("          </MEFS_APPARTENANCE>\n")
        _write_services(out, teachers, SUBJECTS)
        out.write("        </DIVISION>\n")
    out.write("      </DIVISIONS>\n      <GROUPES>\n")
    for code, division in groups:
        out.write(f"        <GROUPE CODE={quoteattr(code)}>\n" + _el("LIBELLE_LONG", f"GROUPE {code}", 10))
        out.write(_el("EFFECTIF_PREVU", 12, 10) + "          <DIVISIONS_APPARTENANCE>\n")
        out.write(f"            <DIVISION_APPARTENANCE CODE={quoteattr(division)}>\n")
        out.write(_el("EFFECTIF_PREVU", 12, 14) + "            </DIVISION_APPARTENANCE>\n")
        out.write("          </DIVISIONS_APPARTENANCE>\n")
        _write_services(out, teachers, SUBJECTS[-1:])
        out.write("        </GROUPE>\n")
    out.write("      </GROUPES>\n    </STRUCTURE>\n  </DONNEES>\n</STS_EDT>\n")


def _cycle(values: list[str]) -> Iterator[str | None]:
    while True:
        if not values:
            yield None
        yield from values


def _write_services(out: TextIO, teachers: Iterator[str | None], subjects: list[tuple[str, str, str]]) -> None:
    out.write("          <SERVICES>\n")
    for code, _short, _label in subjects:
        out.write(f'            <SERVICE CODE_MATIERE="{code}" CODE_MOD_COURS="CG">\n              <ENSEIGNANTS>\n')
        teacher = next(teachers)
        if teacher is not None:
            out.write(f'                <ENSEIGNANT ID="{teacher}" TYPE="epp"/>\n')
        out.write("              </ENSEIGNANTS>\n            </SERVICE>\n")
    out.write("          </SERVICES>\n")


# --- SIECLE learners ----------------------------------------------------------------------------------------


def _learner_id(index: int) -> str:
    return str(1100000 + 7 * index)


def _write_learners(
    out: TextIO,
    rng: random.Random,
    n_learners: int,
    divisions: list[str],
    groups: list[tuple[str, str]],
    uai: str,
    year: int,
) -> None:
    out.write(f'<?xml version="1.0" encoding="{ENCODING.upper()}"?>\n<BEE_ELEVES VERSION="2.2">\n')
    out.write(_header(uai, year, "12:49:04") + "  <DONNEES>\n    <ELEVES>\n")
    structures: list[tuple[str, str | None, str | None]] = []
    for index in range(n_learners):
        learner_id = _learner_id(index)
        female = rng.random() < 0.3
        division = None if index == 3 else divisions[index % len(divisions)]
        group = next((g for g, d in groups if d == division and rng.random() < 0.5), None)
        exit_date = None
        if index % 50 == 2:
            exit_date = date(year, 7, 5) if index % 100 == 2 else date(year, 10, 20)
        out.write(f'      <ELEVE ELEVE_ID="{learner_id}" ELENOET="{3000 + index}">\n')
        if index % 50 != 1:
            out.write(_el("ID_NATIONAL", _ine(rng)))
        out.write(_el("ELENOET", 3000 + index) + _el("ID_ELEVE_ETAB", f"{year}{index:07d}"))
        out.write(_el("NOM_DE_FAMILLE", rng.choice(LAST_NAMES)))
        if index % 97 == 5:
            out.write(_el("NOM_USAGE", "MARTIN-DURAND"))
        out.write(_el("PRENOM", rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)))
        born = date(year - 17, 1, 1) + timedelta(days=rng.randrange(1100))
        out.write(_el("DATE_NAISS", _fr(born)) + _el("DOUBLEMENT", 0) + _el("CODE_PAYS", 100))
        out.write(_el("ACCEPTE_SMS", 0) + _el("DATE_MODIFICATION", f"03/09/{year}"))
        if exit_date:
            out.write(_el("DATE_SORTIE", _fr(exit_date)))
        out.write(_el("CODE_REGIME", rng.choice([0, 2, 24, 3])) + _el("DATE_ENTREE", f"02/09/{year}"))
        out.write(_el("VILLE_NAISS"))
        if exit_date:
            out.write(_el("CODE_MOTIF_SORTIE", 10))
        out.write(_el("CODE_SEXE", 2 if female else 1) + _el("CODE_PAYS_NAT", 100))
        out.write(_el("CODE_STATUT", "AP" if index % 20 == 7 else "ST"))
        out.write(_el("CODE_MEF", _mef_of(division or divisions[0])))
        out.write(_el("CODE_DEPARTEMENT_NAISS", "031") + _el("CODE_COMMUNE_INSEE_NAISS", 31555))
        out.write(_el("ADHESION_TRANSPORT", 0) + _el("CODE_PROVENANCE", 1))
        out.write("        <SCOLARITE_AN_DERNIER>\n" + _el("CODE_MEF", "10310019110", 10))
        out.write(_el("CODE_STRUCTURE", "3A", 10) + _el("CODE_RNE", "0999998Y", 10) + _el("SIGLE", "CLG", 10))
        out.write(_el("DENOM_PRINC", "COLLEGE", 10) + _el("DENOM_COMPL", "IMAGINAIRE", 10))
        out.write("        </SCOLARITE_AN_DERNIER>\n      </ELEVE>\n")
        structures.append((learner_id, division, group))
    out.write("    </ELEVES>\n    <OPTIONS>\n")
    for learner_id, _division, _group in structures:
        out.write(f'      <OPTION ELEVE_ID="{learner_id}">\n        <OPTIONS_ELEVE>\n')
        out.write(_el("NUM_OPTION", 1, 10) + _el("CODE_MODALITE_ELECT", "O", 10) + _el("CODE_MATIERE", "030201", 10))
        out.write("        </OPTIONS_ELEVE>\n      </OPTION>\n")
    out.write("    </OPTIONS>\n    <STRUCTURES>\n")
    for learner_id, division, group in structures:
        if division is None:
            continue
        out.write(f'      <STRUCTURES_ELEVE ELEVE_ID="{learner_id}">\n')
        for code, kind in ((division, "D"), (group, "G")):
            if code:
                out.write("        <STRUCTURE>\n" + _el("CODE_STRUCTURE", code, 10))
                out.write(_el("TYPE_STRUCTURE", kind, 10) + "        </STRUCTURE>\n")
        out.write("      </STRUCTURES_ELEVE>\n")
    out.write("    </STRUCTURES>\n    <BOURSES>\n    </BOURSES>\n  </DONNEES>\n</BEE_ELEVES>\n")


# --- SIECLE guardians ---------------------------------------------------------------------------------------


def _write_guardians(out: TextIO, rng: random.Random, n_learners: int, n_guardians: int, uai: str, year: int) -> None:
    out.write(f'<?xml version="1.0" encoding="{ENCODING.upper()}"?>\n<BEE_RESPONSABLES VERSION="1.10">\n')
    out.write(_header(uai, year, "12:50:21") + "  <DONNEES>\n    <PERSONNES>\n")
    person_ids = [str(2300000 + 7 * index) for index in range(n_guardians)]
    for index, person_id in enumerate(person_ids):
        female = index % 2 == 0
        out.write(f'      <PERSONNE PERSONNE_ID="{person_id}">\n')
        out.write(
            _el("LC_CIVILITE", "MME" if female else "M.") + _el("LL_CIVILITE", "MADAME" if female else "MONSIEUR")
        )
        out.write(_el("NOM_DE_FAMILLE", rng.choice(LAST_NAMES)))
        out.write(_el("PRENOM", rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)))
        out.write(_el("TEL_PERSONNEL") + _el("TEL_PORTABLE", f"+336{rng.randrange(10**7, 10**8)}"))
        out.write(_el("TEL_PROFESSIONNEL") + _el("MEL", f"parent{index}@example.org" if index % 3 == 0 else ""))
        out.write(_el("COMMUNICATION_ADRESSE", 1) + _el("ADRESSE_ID", 4100000 + index) + _el("CODE_PROFESSION", 52))
        out.write("      </PERSONNE>\n")
    out.write("    </PERSONNES>\n    <RESPONSABLES>\n")
    for learner_index, person_index, rank in _links(n_learners, n_guardians):
        out.write("      <RESPONSABLE_ELEVE>\n" + _el("ELEVE_ID", _learner_id(learner_index)))
        out.write(_el("PERSONNE_ID", person_ids[person_index]) + _el("RESP_LEGAL", rank))
        out.write(_el("CODE_PARENTE", {1: 20, 2: 10}.get(rank, 90)) + _el("RESP_FINANCIER", 1 if rank == 1 else 0))
        out.write(_el("PERS_PAIEMENT", 0) + _el("PERS_CONTACT", 0) + "      </RESPONSABLE_ELEVE>\n")
    out.write("    </RESPONSABLES>\n    <ADRESSES>\n")
    for index in range(n_guardians):
        out.write(f'      <ADRESSE ADRESSE_ID="{4100000 + index}">\n')
        out.write(_el("LIGNE1_ADRESSE", f"{rng.randrange(1, 200)} {rng.choice(STREETS)}"))
        out.write(_el("LIGNE2_ADRESSE") + _el("LIGNE3_ADRESSE") + _el("LIGNE4_ADRESSE"))
        out.write(_el("CODE_POSTAL", 31000) + _el("CODE_PAYS", 100) + _el("CODE_COMMUNE_INSEE", 31555))
        out.write(_el("LL_PAYS", "FRANCE") + _el("CODE_DEPARTEMENT", "031") + _el("LIBELLE_POSTAL", "TOULOUSE"))
        out.write("      </ADRESSE>\n")
    out.write("    </ADRESSES>\n  </DONNEES>\n</BEE_RESPONSABLES>\n")


def _links(n_learners: int, n_guardians: int) -> Iterator[tuple[int, int, int]]:
    """(learner, person, RESP_LEGAL): every person linked once at least; two legal guardians when possible."""
    if n_learners == 0 or n_guardians == 0:
        return
    person = 0
    for learner in range(n_learners):
        remaining_learners = n_learners - learner
        remaining_persons = n_guardians - person
        count = max(1, min(3, -(-remaining_persons // remaining_learners))) if remaining_persons > 0 else 1
        for rank in range(1, count + 1):
            yield learner, person % n_guardians, rank if rank <= 2 else 0
            person += 1
