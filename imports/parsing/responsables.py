"""SIECLE guardians file: ResponsablesAvecAdresses.xml (root BEE_RESPONSABLES)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from lxml import etree

from .common import BaseParser, Handler, children_text
from .records import Address, FileKind, Guardian, GuardianLink, GuardiansResult, guardian_record
from .values import clean

# CODE_PARENTE labels. 1-7: SIECLE Nomenclature.xml LIENS_PARENTE (real 2016 file, FORMATS.md §9).
# 10/20/90: two-digit codes of current exports (as in our synthetic samples), not checked against an official
# nomenclature; any other code gets no label (the code is always kept).
RELATIONSHIP_LABELS: dict[str, str] = {
    "1": "PÈRE",
    "2": "MÈRE",
    "3": "TUTEUR",
    "4": "AUTRE MEMBRE DE LA FAMILLE",
    "5": "AIDE SOCIALE À L'ENFANCE",
    "6": "AUTRE CAS",
    "7": "ÉLÈVE LUI-MÊME",
    "10": "PÈRE",
    "20": "MÈRE",
    "90": "AUTRE LIEN",
}


class GuardiansParser(BaseParser):
    kind = FileKind.GUARDIANS

    def __init__(self, file: str, root: etree._Element, *, expected_uai: str | None, today: date | None) -> None:
        super().__init__(file, root, expected_uai=expected_uai, today=today)
        self.guardians: dict[str, Guardian] = {}
        self.links: list[GuardianLink] = []
        self.link_keys: set[tuple[str, str]] = set()
        self.addresses: dict[str, Address] = {}

    def handlers(self) -> dict[str, Handler]:
        data = f"{self.root_tag}/DONNEES"
        return {
            **self.bee_header_handlers(),
            f"{data}/PERSONNES/PERSONNE": self.on_person,
            f"{data}/RESPONSABLES/RESPONSABLE_ELEVE": self.on_link,
            f"{data}/ADRESSES/ADRESSE": self.on_address,
        }

    def on_person(self, element: etree._Element) -> None:
        self.check_header()
        line = element.sourceline
        values = children_text(element)
        siecle_id = clean(element.get("PERSONNE_ID")) or values.get("PERSONNE_ID")
        last_name = values.get("NOM_DE_FAMILLE") or values.get("NOM")
        first_name = values.get("PRENOM")
        record = guardian_record(siecle_id, last_name, first_name)
        if siecle_id is None:
            self.add_error("identifiant SIECLE (attribut PERSONNE_ID) absent.", line=line, record=record)
            return
        previous = self.guardians.get(siecle_id)
        if previous is not None:
            self.add_error(
                f"PERSONNE_ID {siecle_id} en double : il est déjà utilisé ligne {previous.line} par "
                f"« {previous.record} ».",
                line=line,
                record=record,
            )
            return
        if last_name is None:
            self.add_error("nom de famille absent (NOM_DE_FAMILLE).", line=line, record=record)
        self.check_encoding(line, record, last_name, first_name, values.get("NOM_USAGE"))
        self.guardians[siecle_id] = Guardian(
            siecle_id=siecle_id,
            civility=values.get("LC_CIVILITE"),
            last_name=last_name or "",
            first_name=first_name,
            usage_name=values.get("NOM_USAGE"),
            email=values.get("MEL"),
            phone_home=values.get("TEL_PERSONNEL"),
            phone_mobile=values.get("TEL_PORTABLE"),
            phone_work=values.get("TEL_PROFESSIONNEL"),
            address_id=values.get("ADRESSE_ID"),
            line=line,
        )

    def on_link(self, element: etree._Element) -> None:
        line = element.sourceline
        values = children_text(element)
        learner_id = values.get("ELEVE_ID")
        person_id = values.get("PERSONNE_ID")
        record = f"lien apprenant {learner_id} – responsable {person_id}"
        if learner_id is None or person_id is None:
            self.add_error("lien incomplet : ELEVE_ID ou PERSONNE_ID absent.", line=line, record=record)
            return
        if person_id not in self.guardians:
            self.add_warning(
                f"ce lien désigne une personne absente du fichier (PERSONNE_ID {person_id}) : ignoré.",
                line=line,
                record=record,
            )
            return
        if (learner_id, person_id) in self.link_keys:
            self.add_warning("lien en double : ignoré.", line=line, record=record)
            return
        rank_text = values.get("RESP_LEGAL") or "0"
        if rank_text not in ("0", "1", "2"):
            self.add_warning(
                f"niveau de responsabilité inconnu (RESP_LEGAL « {rank_text} ») : la personne est traitée "
                "comme un simple contact.",
                line=line,
                record=record,
            )
            rank_text = "0"
        code = values.get("CODE_PARENTE")
        self.link_keys.add((learner_id, person_id))
        self.links.append(
            GuardianLink(
                learner_siecle_id=learner_id,
                guardian_siecle_id=person_id,
                legal_rank=int(rank_text),
                relationship_code=code,
                relationship_label=RELATIONSHIP_LABELS.get(code or ""),
                financial=values.get("RESP_FINANCIER") == "1",
                contact=values.get("PERS_CONTACT") == "1",
                line=line,
            )
        )

    def on_address(self, element: etree._Element) -> None:
        address_id = clean(element.get("ADRESSE_ID"))
        if address_id is None:
            return
        values = children_text(element)
        lines = tuple(
            text
            for key in ("LIGNE1_ADRESSE", "LIGNE2_ADRESSE", "LIGNE3_ADRESSE", "LIGNE4_ADRESSE")
            if (text := values.get(key))
        )
        self.addresses[address_id] = Address(
            lines=lines,
            postal_code=values.get("CODE_POSTAL"),
            city=values.get("LIBELLE_POSTAL") or values.get("COMMUNE_ETRANGERE"),
            country_code=values.get("CODE_PAYS"),
            country=values.get("LL_PAYS"),
            insee_code=values.get("CODE_COMMUNE_INSEE"),
        )

    def finish(self) -> None:
        if not self.guardians:
            self.add_error("le fichier ne contient aucune personne (PERSONNES).", line=None, record=None)

    def result(self) -> GuardiansResult:
        guardians = tuple(
            replace(guardian, address=self.addresses.get(guardian.address_id or ""))
            for guardian in self.guardians.values()
        )
        return GuardiansResult(
            header=self.header(), guardians=guardians, links=tuple(self.links), problems=tuple(self.problems)
        )
