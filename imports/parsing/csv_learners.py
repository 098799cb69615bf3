"""« Fichiers hors SIECLE »: learners from a CSV file.

Documented format (header row required, `;` or `,` separator, UTF-8 with or without BOM, or Windows-1252):

    nom;prenom;date_naissance;ine;classe;sexe;groupes
    DUPONT;Marie;14/03/2009;1234567890A;2MELEC1;F;2MEL-AP1

Required columns: nom, prenom, date_naissance (jj/mm/aaaa or aaaa-mm-jj). Optional: ine, classe, sexe
(M/F, H, 1/2), groupes (separated by `|`). Column names are case- and accent-insensitive.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata

from .errors import ParseRefused, Problem, error, warning
from .records import CsvLearnersResult, Learner, Sex, learner_record
from .safety import DEFAULT_LIMITS, Content, Limits, is_zip, read_all
from .values import clean, parse_date

EXPECTED_HEADER = "nom;prenom;date_naissance;ine;classe;sexe;groupes"
REQUIRED = ("nom", "prenom", "date_naissance")
_ALIASES = {
    "nom": "nom",
    "nom_de_famille": "nom",
    "prenom": "prenom",
    "date_naissance": "date_naissance",
    "date_de_naissance": "date_naissance",
    "naissance": "date_naissance",
    "ine": "ine",
    "id_national": "ine",
    "classe": "classe",
    "division": "classe",
    "sexe": "sexe",
    "groupes": "groupes",
    "groupe": "groupes",
}
_SEXES: dict[str, Sex] = {
    "m": "M",
    "h": "M",
    "g": "M",
    "1": "M",
    "masculin": "M",
    "homme": "M",
    "garcon": "M",
    "f": "F",
    "2": "F",
    "feminin": "F",
    "femme": "F",
    "fille": "F",
}
_INE = re.compile(r"^[0-9A-Z]{11}$")


def _key(text: str) -> str:
    """Column name or value without case, accents, spaces."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-'’.]+", "_", text).strip("_")


# Any control character, tab and line breaks included: a name or a class never holds one (the tab separating
# columns and the line breaks ending rows are consumed by the CSV reader before the cells are checked).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _decode(data: bytes, name: str) -> str:
    """The file's text; a UTF-16 file cut short or holding a lone surrogate is refused with its line."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode("utf-16", errors="replace").count("\n") + 1
            raise ParseRefused(error(
                name,
                "fichier UTF-16 abîmé (caractère incomplet ou invalide) : ouvrez-le dans votre tableur et "
                "enregistrez-le de nouveau au format « CSV UTF-8 (délimité par des points-virgules) ».",
                line=line,
            )) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _control_problem(cells: dict[str, str | None], name: str, line: int) -> Problem | None:
    for field, value in cells.items():
        if value and (match := _CONTROL.search(value)):
            code = ord(match.group())
            what = {0x09: "une tabulation", 0x0A: "un retour à la ligne", 0x0D: "un retour à la ligne"}.get(
                code, f"un caractère de contrôle invisible (U+{code:04X})")
            return error(name, f"la colonne « {field} » contient {what} : corrigez la case dans votre tableur.",
                         line=line)
    return None


def _delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def parse_learners_csv(
    content: Content, *, name: str = "fichier.csv", limits: Limits = DEFAULT_LIMITS
) -> CsvLearnersResult:
    """Read a « Fichiers hors SIECLE » CSV into Learner records (siecle_id None), with problems per line."""
    problems: list[Problem] = []
    try:
        data = read_all(content, name, limits.max_csv_size)
    except ParseRefused as exc:
        return CsvLearnersResult(file=name, problems=(exc.problem,))
    except OSError:
        return CsvLearnersResult(file=name, problems=(error(name, "fichier illisible."),))
    refusal = _refuse_non_csv(data, name)
    if refusal is not None:
        return CsvLearnersResult(file=name, problems=(refusal,))

    try:
        text = _decode(data, name)
    except ParseRefused as exc:
        return CsvLearnersResult(file=name, problems=(exc.problem,))
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        learners = _read_rows(reader, name, problems)
    except csv.Error as exc:
        problems.append(_csv_error(exc, name, reader.line_num))
        return CsvLearnersResult(file=name, problems=tuple(problems))
    if learners is None:
        return CsvLearnersResult(file=name, problems=tuple(problems))
    if not learners and not any(p.is_error for p in problems):
        problems.append(error(name, "le fichier ne contient aucun apprenant (seulement la ligne d'en-tête)."))
    return CsvLearnersResult(file=name, learners=tuple(learners), problems=tuple(problems))


def _csv_error(exc: csv.Error, name: str, line: int) -> Problem:
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return error(name, f"une case dépasse {limit:,} caractères".replace(",", "\u202f") + " : un guillemet "
                     "n'est sans doute pas refermé. Corrigez le fichier dans votre tableur.", line=line)
    return error(name, "ligne illisible au format CSV (guillemet mal placé ou caractère interdit) : corrigez-la "
                 "dans votre tableur.", line=line)


def _read_rows(reader, name: str, problems: list[Problem]) -> list[Learner] | None:
    header = next(reader, None)
    columns = _read_header(header or [], name, problems)
    if columns is None:
        return None
    learners: list[Learner] = []
    seen_ine: dict[str, tuple[int, str]] = {}
    seen_person: dict[tuple[str, str, object], tuple[int, str]] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = {field: clean(row[index]) if index < len(row) else None for field, index in columns.items()}
        if (problem := _control_problem(cells, name, line)) is not None:
            problems.append(problem)
            continue
        learner = _read_row(cells, name, line, problems)
        if learner is None:
            continue
        record = learner.record
        if learner.ine is not None:
            if learner.ine in seen_ine:
                other_line, other = seen_ine[learner.ine]
                problems.append(
                    error(
                        name,
                        f"INE {learner.ine} en double : déjà donné ligne {other_line} à « {other} ».",
                        line=line,
                        record=record,
                    )
                )
                continue
            seen_ine[learner.ine] = (line, record)
        identity = (_key(learner.last_name), _key(learner.first_name), learner.birth_date)
        if identity in seen_person:
            other_line, _other = seen_person[identity]
            problems.append(
                warning(
                    name,
                    f"même nom, prénom et date de naissance que la ligne {other_line} : vérifiez "
                    "qu'il ne s'agit pas d'un doublon.",
                    line=line,
                    record=record,
                )
            )
        seen_person.setdefault(identity, (line, record))
        learners.append(learner)
    return learners


def _refuse_non_csv(data: bytes, name: str) -> Problem | None:
    if not data.strip():
        return error(name, "le fichier est vide.")
    if is_zip(data[:4]):
        return error(
            name,
            "ce fichier est un classeur (Excel, LibreOffice) ou une archive, pas un fichier CSV : "
            "enregistrez-le au format « CSV (point-virgule) ».",
        )
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return error(name, "ce fichier n'est pas un fichier texte CSV.")
    return None


def _read_header(header: list[str], name: str, problems: list[Problem]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        field = _ALIASES.get(_key(title))
        if field is None:
            if title.strip():
                ignored.append(title.strip())
        elif field not in columns:
            columns[field] = index
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        problems.append(
            error(
                name,
                f"colonne(s) obligatoire(s) absente(s) de la ligne d'en-tête : {', '.join(missing)}. "
                f"La première ligne doit nommer les colonnes, par exemple : {EXPECTED_HEADER}",
                line=1,
            )
        )
        return None
    if ignored:
        problems.append(warning(name, f"colonne(s) inconnue(s), ignorée(s) : {', '.join(ignored)}.", line=1))
    return columns


def _read_row(cells: dict[str, str | None], name: str, line: int, problems: list[Problem]) -> Learner | None:
    last_name, first_name = cells.get("nom"), cells.get("prenom")
    record = learner_record(None, last_name, first_name)
    ok = True
    if last_name is None:
        problems.append(error(name, "nom absent.", line=line, record=record))
        ok = False
    if first_name is None:
        problems.append(error(name, "prénom absent.", line=line, record=record))
        ok = False
    birth_text = cells.get("date_naissance")
    birth_date = None
    if birth_text is None:
        problems.append(error(name, "date de naissance absente.", line=line, record=record))
        ok = False
    else:
        try:
            birth_date = parse_date(birth_text)
            if birth_date.year < 1900:
                raise ValueError(birth_text)
        except ValueError:
            problems.append(
                error(
                    name,
                    f"date de naissance illisible « {birth_text} » (attendu jj/mm/aaaa ou aaaa-mm-jj).",
                    line=line,
                    record=record,
                )
            )
            ok = False
    ine = cells.get("ine")
    if ine is not None:
        ine = ine.replace(" ", "").upper()
        if not _INE.match(ine):
            problems.append(
                error(
                    name,
                    f"INE « {ine} » invalide (11 caractères, chiffres et lettres) : corrigez-le ou "
                    "laissez la case vide.",
                    line=line,
                    record=record,
                )
            )
            ok = False
    sex_text = cells.get("sexe")
    sex = _SEXES.get(_key(sex_text)) if sex_text else None
    if sex_text and sex is None:
        problems.append(warning(name, f"sexe « {sex_text} » non reconnu (M ou F) : ignoré.", line=line, record=record))
    if not ok:
        return None
    groups = tuple(dict.fromkeys(g.strip() for g in re.split(r"[|,]", cells.get("groupes") or "") if g.strip()))
    return Learner(
        siecle_id=None,
        ine=ine,
        last_name=last_name or "",
        first_name=first_name or "",
        birth_date=birth_date,
        sex=sex,
        division=cells.get("classe"),
        groups=groups,
        line=line,
    )
