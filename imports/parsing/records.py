"""Plain result records of the parsers (no database). Identifiers are kept as strings, never cast to int."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from .errors import Problem, has_errors


class _Problems:
    """`errors` and `warnings` of a result (its `problems` split by severity)."""

    __slots__ = ()
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


Sex = Literal["M", "F"]


class FileKind(StrEnum):
    """The national files CPro imports, recognised by their root element."""

    STS = "sts"  # sts_emp_<UAI>_<année>.xml, root STS_EDT
    LEARNERS = "learners"  # ElevesSansAdresses.xml (or ElevesAvecAdresses), root BEE_ELEVES
    GUARDIANS = "guardians"  # ResponsablesAvecAdresses.xml, root BEE_RESPONSABLES

    @property
    def label(self) -> str:
        """French name, used in messages (« le fichier des élèves (ElevesSansAdresses) »)."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    FileKind.STS: "le fichier STS-web des enseignants (sts_emp)",
    FileKind.LEARNERS: "le fichier des élèves (ElevesSansAdresses)",
    FileKind.GUARDIANS: "le fichier des responsables (ResponsablesAvecAdresses)",
}


@dataclass(frozen=True, slots=True)
class FileHeader:
    """What a file says about itself (PARAMETRES)."""

    kind: FileKind
    file: str  # display name, e.g. "ElevesSansAdresses.xml (dans Siecle_ElevesEtResponsables.zip)"
    uai: str | None
    school_year: int | None  # first calendar year: 2026 means 2026-2027
    export_date: date | None = None
    version: str | None = None  # VERSION attribute of BEE files
    establishment_name: str | None = None  # STS only: SIGLE DENOM_PRINC DENOM_COMPL


# --- STS-web (sts_emp) -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    label: str | None
    mef_codes: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Group:
    code: str
    label: str | None
    division_codes: tuple[str, ...] = ()  # DIVISIONS_APPARTENANCE
    mef_codes: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Mef:
    code: str  # 11 characters, may contain letters
    label: str | None  # LIBELLE_LONG (else LIBELLE_EDITION)
    formation: str | None = None  # FORMATION, e.g. "2NDPRO"


@dataclass(frozen=True, slots=True)
class Subject:
    code: str  # 6-character CODE_MATIERE
    short_code: str | None  # CODE_GESTION
    label: str | None  # LIBELLE_LONG (else LIBELLE_EDITION, LIBELLE_COURT)


@dataclass(frozen=True, slots=True)
class Discipline:
    code: str  # e.g. "P6500"
    label: str | None


@dataclass(frozen=True, slots=True)
class Service:
    """One teaching service of a division or group: a subject, its teachers."""

    structure_code: str
    structure_kind: Literal["division", "group"]
    subject_code: str | None
    course_mode: str | None  # CODE_MOD_COURS: CG, TP, ...
    teacher_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StaffMember:
    """An STS-web INDIVIDU. `function` is FONCTION as given: ENS teacher, DIR head, EDU, ... or None."""

    sts_id: str  # INDIVIDU/@ID
    sts_type: str | None  # "epp" or "local"
    civility_code: str | None  # CIVILITE: "1", "2", "3"
    civility: str | None  # "M.", "MME", "MLLE" (from the file's CIVILITES, else the usual table)
    last_name: str  # NOM_USAGE, else NOM_PATRONYMIQUE
    birth_name: str | None  # NOM_PATRONYMIQUE
    first_name: str | None
    birth_date: date | None
    sex: Sex | None
    grade: str | None
    function: str | None
    disciplines: tuple[Discipline, ...] = ()
    divisions: tuple[str, ...] = ()  # division codes taught (SERVICES)
    groups: tuple[str, ...] = ()  # group codes taught (SERVICES)
    main_teacher_of: tuple[str, ...] = ()  # PROFS_PRINC structure codes
    line: int | None = None

    @property
    def is_teacher(self) -> bool:
        return self.function == "ENS"

    @property
    def is_head(self) -> bool:
        return self.function == "DIR"

    @property
    def record(self) -> str:
        return staff_record(self.sts_id, self.last_name, self.first_name)


@dataclass(frozen=True, slots=True)
class StsResult(_Problems):
    header: FileHeader | None
    divisions: tuple[Division, ...] = ()
    groups: tuple[Group, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    services: tuple[Service, ...] = ()
    mefs: dict[str, Mef] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.header is not None and not has_errors(self.problems)

    @property
    def teachers(self) -> tuple[StaffMember, ...]:
        return tuple(s for s in self.staff if s.is_teacher)

    @property
    def heads(self) -> tuple[StaffMember, ...]:
        return tuple(s for s in self.staff if s.is_head)


# --- SIECLE learners (BEE_ELEVES) and CSV learners -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Learner:
    """A learner record. From SIECLE, `siecle_id` is ELEVE_ID; from a CSV file it is None."""

    siecle_id: str | None  # ELEVE_ID
    ine: str | None  # ID_NATIONAL; None when absent (learner not transferable)
    last_name: str  # NOM_DE_FAMILLE (older files: NOM)
    first_name: str
    birth_date: date | None
    sex: Sex | None = None
    division: str | None = None  # TYPE_STRUCTURE D
    groups: tuple[str, ...] = ()  # TYPE_STRUCTURE G
    mef_code: str | None = None
    mef_label: str | None = None  # from STS-web NOMENCLATURES/MEFS when that file is in the same upload
    status_code: str | None = None  # CODE_STATUT: ST scolaire, AP apprenti, ...
    entry_date: date | None = None
    exit_date: date | None = None  # DATE_SORTIE
    exit_reason_code: str | None = None  # CODE_MOTIF_SORTIE
    elenoet: str | None = None
    usage_name: str | None = None  # NOM_USAGE
    other_first_names: tuple[str, ...] = ()  # PRENOM2, PRENOM3
    line: int | None = None

    @property
    def transferable(self) -> bool:
        """A learner's data can move to another school only with an INE."""
        return self.ine is not None

    @property
    def is_apprentice(self) -> bool:
        return self.status_code == "AP"

    @property
    def display_last_name(self) -> str:
        return self.usage_name or self.last_name

    def has_left(self, today: date) -> bool:
        """True when the exit date is past (before `today`); such learners are not created by an import."""
        return self.exit_date is not None and self.exit_date < today

    @property
    def record(self) -> str:
        return learner_record(self.siecle_id, self.last_name, self.first_name)


@dataclass(frozen=True, slots=True)
class LearnersResult(_Problems):
    header: FileHeader | None
    learners: tuple[Learner, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.header is not None and not has_errors(self.problems)

    @property
    def without_ine(self) -> tuple[Learner, ...]:
        return tuple(learner for learner in self.learners if learner.ine is None)


@dataclass(frozen=True, slots=True)
class CsvLearnersResult(_Problems):
    """Learners of a « Fichiers hors SIECLE » CSV file."""

    file: str
    learners: tuple[Learner, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


# --- SIECLE guardians (BEE_RESPONSABLES) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    lines: tuple[str, ...]  # non-empty LIGNE1..4_ADRESSE
    postal_code: str | None
    city: str | None  # LIBELLE_POSTAL, else COMMUNE_ETRANGERE
    country_code: str | None
    country: str | None  # LL_PAYS
    insee_code: str | None = None


@dataclass(frozen=True, slots=True)
class Guardian:
    siecle_id: str  # PERSONNE_ID
    civility: str | None  # LC_CIVILITE: "M.", "MME"
    last_name: str  # NOM_DE_FAMILLE (older files: NOM)
    first_name: str | None
    usage_name: str | None = None
    email: str | None = None
    phone_home: str | None = None  # TEL_PERSONNEL
    phone_mobile: str | None = None  # TEL_PORTABLE
    phone_work: str | None = None  # TEL_PROFESSIONNEL
    address_id: str | None = None
    address: Address | None = None
    line: int | None = None

    @property
    def display_last_name(self) -> str:
        return self.usage_name or self.last_name

    @property
    def record(self) -> str:
        return guardian_record(self.siecle_id, self.last_name, self.first_name)


@dataclass(frozen=True, slots=True)
class GuardianLink:
    """RESPONSABLE_ELEVE: a person linked to a learner (by ELEVE_ID, not INE)."""

    learner_siecle_id: str  # ELEVE_ID
    guardian_siecle_id: str  # PERSONNE_ID
    legal_rank: int  # RESP_LEGAL: 1 or 2 = legal guardian, 0 = other contact
    relationship_code: str | None  # CODE_PARENTE
    relationship_label: str | None
    financial: bool = False  # RESP_FINANCIER
    contact: bool = False  # PERS_CONTACT
    line: int | None = None

    @property
    def is_legal(self) -> bool:
        return self.legal_rank in (1, 2)


@dataclass(frozen=True, slots=True)
class GuardiansResult(_Problems):
    header: FileHeader | None
    guardians: tuple[Guardian, ...] = ()
    links: tuple[GuardianLink, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.header is not None and not has_errors(self.problems)


# --- record names used in messages ------------------------------------------------------------------------


def _person(identifier: str | None, last_name: str | None, first_name: str | None) -> str:
    return " ".join(part for part in (identifier, last_name, first_name) if part)


def learner_record(siecle_id: str | None, last_name: str | None, first_name: str | None) -> str:
    return f"apprenant {_person(siecle_id, last_name, first_name)}".rstrip()


def guardian_record(siecle_id: str | None, last_name: str | None, first_name: str | None) -> str:
    return f"responsable {_person(siecle_id, last_name, first_name)}".rstrip()


def staff_record(sts_id: str | None, last_name: str | None, first_name: str | None) -> str:
    return f"personnel {_person(sts_id, last_name, first_name)}".rstrip()
