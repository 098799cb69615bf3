"""STS-web timetable export: sts_emp_<UAI>_<année>.xml (root STS_EDT)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from lxml import etree

from .common import BaseParser, Handler, children_text
from .eleves import SEX_CODES
from .records import (
    Discipline,
    Division,
    FileKind,
    Group,
    Mef,
    Service,
    StaffMember,
    StsResult,
    Subject,
    staff_record,
)
from .values import clean, normalise_uai

DEFAULT_CIVILITIES = {"1": "M.", "2": "MME", "3": "MLLE"}


@dataclass(slots=True)
class _Taught:
    divisions: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


class StsParser(BaseParser):
    kind = FileKind.STS

    def __init__(self, file: str, root: etree._Element, *, expected_uai: str | None, today: date | None) -> None:
        super().__init__(file, root, expected_uai=expected_uai, today=today)
        self.name_parts: dict[str, str] = {}
        self.mefs: dict[str, Mef] = {}
        self.subjects: dict[str, Subject] = {}
        self.civilities: dict[str, str] = {}
        self.staff: dict[str, StaffMember] = {}
        self.divisions: dict[str, Division] = {}
        self.groups: dict[str, Group] = {}
        self.services: list[Service] = []
        self.taught: dict[str, _Taught] = {}

    def handlers(self) -> dict[str, Handler]:
        root = self.root_tag
        params = f"{root}/PARAMETRES"
        names = {f"{params}/UAJ/{tag}": self.on_name_part for tag in ("SIGLE", "DENOM_PRINC", "DENOM_COMPL")}
        return {
            **names,
            f"{params}/UAJ": self.on_uai,
            f"{params}/ANNEE_SCOLAIRE": self.on_year,
            params: lambda _element: self.check_header(),
            f"{root}/NOMENCLATURES/MATIERES/MATIERE": self.on_subject,
            f"{root}/NOMENCLATURES/MEFS/MEF": self.on_mef,
            f"{root}/NOMENCLATURES/CIVILITES/CIVILITE": self.on_civility,
            f"{root}/DONNEES/INDIVIDUS/INDIVIDU": self.on_person,
            f"{root}/DONNEES/STRUCTURE/DIVISIONS/DIVISION": self.on_division,
            f"{root}/DONNEES/STRUCTURE/GROUPES/GROUPE": self.on_group,
        }

    # -- header and nomenclatures -------------------------------------------------------------------------

    def on_name_part(self, element: etree._Element) -> None:
        text = clean(element.text)
        if text:
            self.name_parts[str(element.tag)] = text

    def on_uai(self, element: etree._Element) -> None:
        self.uai = normalise_uai(element.get("CODE"))
        self.header_line = element.sourceline
        parts = [self.name_parts.get(tag) for tag in ("SIGLE", "DENOM_PRINC", "DENOM_COMPL")]
        self.establishment_name = " ".join(part for part in parts if part) or None

    def on_year(self, element: etree._Element) -> None:
        self.school_year = self.parse_year(element.get("ANNEE"), element.sourceline)
        self.header_line = self.header_line or element.sourceline

    def on_subject(self, element: etree._Element) -> None:
        code = clean(element.get("CODE"))
        if code is None:
            return
        values = children_text(element)
        label = values.get("LIBELLE_LONG") or values.get("LIBELLE_EDITION") or values.get("LIBELLE_COURT")
        self.subjects[code] = Subject(code=code, short_code=values.get("CODE_GESTION"), label=label)

    def on_mef(self, element: etree._Element) -> None:
        code = clean(element.get("CODE"))
        if code is None:
            return
        values = children_text(element)
        label = values.get("LIBELLE_LONG") or values.get("LIBELLE_EDITION")
        self.mefs[code] = Mef(code=code, label=label, formation=values.get("FORMATION"))

    def on_civility(self, element: etree._Element) -> None:
        code = clean(element.get("CODE"))
        label = clean(element.findtext("LIBELLE_COURT"))
        if code and label:
            self.civilities[code] = label

    # -- people -------------------------------------------------------------------------------------------

    def on_person(self, element: etree._Element) -> None:
        self.check_header()
        line = element.sourceline
        values = children_text(element)
        sts_id = clean(element.get("ID"))
        last_name = values.get("NOM_USAGE") or values.get("NOM_PATRONYMIQUE")
        first_name = values.get("PRENOM")
        record = staff_record(sts_id, last_name, first_name)
        if sts_id is None:
            self.add_error("identifiant STS (attribut ID de INDIVIDU) absent.", line=line, record=record)
            return
        previous = self.staff.get(sts_id)
        if previous is not None:
            self.add_error(
                f"identifiant STS {sts_id} en double : il est déjà utilisé ligne {previous.line} par "
                f"« {previous.record} ».",
                line=line,
                record=record,
            )
            return
        if last_name is None:
            self.add_error("nom absent (NOM_USAGE et NOM_PATRONYMIQUE vides).", line=line, record=record)
        self.check_encoding(line, record, last_name, first_name)
        civility_code = values.get("CIVILITE")
        disciplines = tuple(
            Discipline(code=code, label=clean(item.findtext("LIBELLE_COURT")))
            for item in element.iterfind("DISCIPLINES/DISCIPLINE")
            if (code := clean(item.get("CODE")))
        )
        main_teacher_of = tuple(
            code
            for item in element.iterfind("PROFS_PRINC/PROF_PRINC")
            if (code := clean(item.findtext("CODE_STRUCTURE")))
        )
        self.staff[sts_id] = StaffMember(
            sts_id=sts_id,
            sts_type=clean(element.get("TYPE")),
            civility_code=civility_code,
            civility=self.civilities.get(civility_code or "") or DEFAULT_CIVILITIES.get(civility_code or ""),
            last_name=last_name or "",
            birth_name=values.get("NOM_PATRONYMIQUE"),
            first_name=first_name,
            birth_date=self.optional_date(values.get("DATE_NAISSANCE"), line, record, "DATE_NAISSANCE"),
            sex=SEX_CODES.get(values.get("SEXE") or ""),
            grade=values.get("GRADE"),
            function=values.get("FONCTION"),
            disciplines=disciplines,
            main_teacher_of=main_teacher_of,
            line=line,
        )

    # -- structures ---------------------------------------------------------------------------------------

    def on_division(self, element: etree._Element) -> None:
        code = clean(element.get("CODE"))
        if code is None:
            self.add_error("classe sans code (attribut CODE).", line=element.sourceline, record="classe")
            return
        if code in self.divisions:
            self.add_error(
                f"classe « {code} » en double (déjà ligne {self.divisions[code].line}).",
                line=element.sourceline,
                record=f"classe {code}",
            )
            return
        self.divisions[code] = Division(
            code=code,
            label=clean(element.findtext("LIBELLE_LONG")),
            mef_codes=_mef_codes(element),
            line=element.sourceline,
        )
        self._read_services(element, code, "division")

    def on_group(self, element: etree._Element) -> None:
        code = clean(element.get("CODE"))
        if code is None:
            self.add_error("groupe sans code (attribut CODE).", line=element.sourceline, record="groupe")
            return
        if code in self.groups:
            self.add_error(
                f"groupe « {code} » en double (déjà ligne {self.groups[code].line}).",
                line=element.sourceline,
                record=f"groupe {code}",
            )
            return
        division_codes = tuple(
            dict.fromkeys(
                division
                for item in element.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE")
                if (division := clean(item.get("CODE")))
            )
        )
        self.groups[code] = Group(
            code=code,
            label=clean(element.findtext("LIBELLE_LONG")),
            division_codes=division_codes,
            mef_codes=_mef_codes(element),
            line=element.sourceline,
        )
        self._read_services(element, code, "group")

    def _read_services(self, element: etree._Element, code: str, kind: Literal["division", "group"]) -> None:
        for service in element.iterfind("SERVICES/SERVICE"):
            teacher_ids = tuple(
                dict.fromkeys(
                    teacher_id
                    for teacher in service.iterfind("ENSEIGNANTS/ENSEIGNANT")
                    if (teacher_id := clean(teacher.get("ID")))
                )
            )
            self.services.append(
                Service(
                    structure_code=code,
                    structure_kind=kind,
                    subject_code=clean(service.get("CODE_MATIERE")),
                    course_mode=clean(service.get("CODE_MOD_COURS")),
                    teacher_ids=teacher_ids,
                )
            )
            for teacher_id in teacher_ids:
                taught = self.taught.setdefault(teacher_id, _Taught())
                target = taught.divisions if kind == "division" else taught.groups
                if code not in target:
                    target.append(code)
                if teacher_id not in self.staff:
                    self.add_warning(
                        f"le service de {'la division' if kind == 'division' else 'du groupe'} « {code} » "
                        f"désigne un enseignant absent de la liste des personnels (ID {teacher_id}).",
                        line=service.sourceline,
                        record=f"{'division' if kind == 'division' else 'groupe'} {code}",
                    )

    def finish(self) -> None:
        if not self.staff:
            self.add_error("le fichier ne contient aucun personnel (INDIVIDUS).", line=None, record=None)
        for group in self.groups.values():
            unknown = [code for code in group.division_codes if code not in self.divisions]
            if unknown:
                self.add_warning(
                    f"le groupe est rattaché à des classes absentes du fichier : {', '.join(unknown)}.",
                    line=group.line,
                    record=f"groupe {group.code}",
                )

    def result(self) -> StsResult:
        staff = []
        for member in self.staff.values():
            taught = self.taught.get(member.sts_id)
            if taught is not None:
                member = _with_taught(member, taught)
            staff.append(member)
        return StsResult(
            header=self.header(),
            divisions=tuple(self.divisions.values()),
            groups=tuple(self.groups.values()),
            staff=tuple(staff),
            services=tuple(self.services),
            mefs=dict(self.mefs),
            subjects=dict(self.subjects),
            problems=tuple(self.problems),
        )


def _mef_codes(element: etree._Element) -> tuple[str, ...]:
    """MEFS_APPARTENANCE/MEF_APPARTENANCE: CODE attribute (STS) or CODE_MEF child (SIECLE Structures)."""
    codes = []
    for item in element.iterfind("MEFS_APPARTENANCE/MEF_APPARTENANCE"):
        code = clean(item.get("CODE")) or clean(item.findtext("CODE_MEF"))
        if code:
            codes.append(code)
    return tuple(dict.fromkeys(codes))


def _with_taught(member: StaffMember, taught: _Taught) -> StaffMember:
    return replace(member, divisions=tuple(taught.divisions), groups=tuple(taught.groups))
