"""SIECLE learners file: ElevesSansAdresses.xml / ElevesAvecAdresses.xml (root BEE_ELEVES)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from lxml import etree

from .common import BaseParser, Handler, children_text
from .records import FileKind, Learner, LearnersResult, Sex, learner_record
from .values import clean

SEX_CODES: dict[str, Sex] = {"1": "M", "2": "F"}


@dataclass(slots=True)
class _Draft:
    """A learner while the file is read; memberships arrive later in the file (STRUCTURES)."""

    learner: Learner
    record: str
    division: str | None = None
    groups: list[str] = field(default_factory=list)
    has_structures: bool = False


class LearnersParser(BaseParser):
    kind = FileKind.LEARNERS

    def __init__(self, file: str, root: etree._Element, *, expected_uai: str | None, today: date | None) -> None:
        super().__init__(file, root, expected_uai=expected_uai, today=today)
        self.drafts: dict[str, _Draft] = {}
        self.by_ine: dict[str, _Draft] = {}

    def handlers(self) -> dict[str, Handler]:
        data = f"{self.root_tag}/DONNEES"
        return {
            **self.bee_header_handlers(),
            f"{data}/ELEVES/ELEVE": self.on_learner,
            f"{data}/STRUCTURES/STRUCTURES_ELEVE": self.on_structures,
        }

    def on_learner(self, element: etree._Element) -> None:
        self.check_header()
        line = element.sourceline
        values = children_text(element)
        siecle_id = clean(element.get("ELEVE_ID")) or values.get("ELEVE_ID")
        last_name = values.get("NOM_DE_FAMILLE") or values.get("NOM")
        first_name = values.get("PRENOM")
        record = learner_record(siecle_id, last_name, first_name)
        if siecle_id is None:
            self.add_error("identifiant SIECLE (attribut ELEVE_ID) absent.", line=line, record=record)
            return
        previous = self.drafts.get(siecle_id)
        if previous is not None:
            self.add_error(
                f"ELEVE_ID {siecle_id} en double : il est déjà utilisé ligne {previous.learner.line} par "
                f"« {previous.record} ».",
                line=line,
                record=record,
            )
            return
        if last_name is None:
            self.add_error("nom de famille absent (NOM_DE_FAMILLE).", line=line, record=record)
        if first_name is None:
            self.add_error("prénom absent (PRENOM).", line=line, record=record)
        self.check_encoding(line, record, last_name, first_name, values.get("NOM_USAGE"))

        ine = values.get("ID_NATIONAL") or values.get("INE_RNIE")
        ine = ine.upper() if ine else None
        birth_date = self.optional_date(values.get("DATE_NAISS"), line, record, "DATE_NAISS")
        if values.get("DATE_NAISS") is None:
            self.add_warning("date de naissance absente (DATE_NAISS).", line=line, record=record)
        sex_code = values.get("CODE_SEXE")
        if sex_code is not None and sex_code not in SEX_CODES:
            self.add_warning(f"code sexe inconnu « {sex_code} » : ignoré.", line=line, record=record)

        learner = Learner(
            siecle_id=siecle_id,
            ine=ine,
            last_name=last_name or "",
            first_name=first_name or "",
            birth_date=birth_date,
            sex=SEX_CODES.get(sex_code or ""),
            mef_code=values.get("CODE_MEF"),
            status_code=values.get("CODE_STATUT"),
            entry_date=self.optional_date(values.get("DATE_ENTREE"), line, record, "DATE_ENTREE"),
            exit_date=self.optional_date(values.get("DATE_SORTIE"), line, record, "DATE_SORTIE"),
            exit_reason_code=values.get("CODE_MOTIF_SORTIE"),
            elenoet=clean(element.get("ELENOET")) or values.get("ELENOET"),
            usage_name=values.get("NOM_USAGE"),
            other_first_names=tuple(name for name in (values.get("PRENOM2"), values.get("PRENOM3")) if name),
            line=line,
        )
        draft = _Draft(learner=learner, record=record)
        self.drafts[siecle_id] = draft
        if ine is not None:
            same = self.by_ine.get(ine)
            if same is not None:
                self.add_error(
                    f"INE {ine} en double : il est aussi celui de « {same.record} » "
                    f"(ligne {same.learner.line}). Corrigez la fiche dans SIECLE puis exportez à nouveau.",
                    line=line,
                    record=record,
                )
            else:
                self.by_ine[ine] = draft

    def on_structures(self, element: etree._Element) -> None:
        line = element.sourceline
        siecle_id = clean(element.get("ELEVE_ID"))
        draft = self.drafts.get(siecle_id or "")
        if draft is None:
            self.add_warning(
                f"classes et groupes d'un apprenant absent du fichier des élèves (ELEVE_ID {siecle_id}) : ignorés.",
                line=line,
                record=learner_record(siecle_id, None, None),
            )
            return
        if draft.has_structures:
            self.add_warning(
                "l'apprenant apparaît deux fois dans STRUCTURES : ses classes et groupes sont cumulés.",
                line=line,
                record=draft.record,
            )
        draft.has_structures = True
        for structure in element.iterchildren("STRUCTURE"):
            values = children_text(structure)
            code = values.get("CODE_STRUCTURE")
            kind = (values.get("TYPE_STRUCTURE") or "").upper()
            if code is None:
                continue
            if kind == "D":
                if draft.division is not None and draft.division != code:
                    self.add_warning(
                        f"l'apprenant est dans deux classes (« {draft.division} » et « {code} ») : « {code} » "
                        "est retenue.",
                        line=structure.sourceline,
                        record=draft.record,
                    )
                draft.division = code
            elif kind == "G":
                if code not in draft.groups:
                    draft.groups.append(code)
            else:
                self.add_warning(
                    f"type de structure inconnu « {kind} » pour « {code} » : ignoré.",
                    line=structure.sourceline,
                    record=draft.record,
                )

    def finish(self) -> None:
        if not self.drafts:
            self.add_error("le fichier ne contient aucun apprenant.", line=None, record=None)

    def result(self) -> LearnersResult:
        learners = tuple(
            replace(draft.learner, division=draft.division, groups=tuple(draft.groups))
            for draft in self.drafts.values()
        )
        return LearnersResult(header=self.header(), learners=learners, problems=tuple(self.problems))
