"""Synthetic exports for the import benchmark: the parsing layer's generator, plus a "next export" with turnover.

``generate`` writes sts_emp / ElevesSansAdresses / ResponsablesAvecAdresses (imports.parsing.synthetic);
``with_turnover`` writes the same learners' and guardians' files with a share of learners gone (absent from the
export) and as many new arrivals (new ELEVE_ID and INE, one new legal guardian each). Fake data only.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

from lxml import etree

from imports.parsing.synthetic import generate_synthetic_exports

ENCODING = "ISO-8859-15"


def generate(out_dir: Path, *, learners: int, guardians: int, teachers: int, divisions: int, uai: str,
             year: int) -> dict[str, Path]:
    return generate_synthetic_exports(learners, guardians, teachers, divisions, uai, year, out_dir)


def _write(tree: etree._ElementTree, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(str(path), encoding=ENCODING, xml_declaration=True)
    return path


def with_turnover(learners_path: Path, guardians_path: Path, out_dir: Path, *, share: float = 0.05,
                  seed: int = 1) -> dict[str, Path]:
    """A later export: ``share`` of the learners left (absent), as many arrived. Returns the two new paths."""
    rng = random.Random(seed)
    learners_tree = etree.parse(str(learners_path))
    root = learners_tree.getroot()
    eleves = root.find("DONNEES/ELEVES")
    records = list(eleves)
    count = max(1, int(len(records) * share))
    gone = {e.get("ELEVE_ID") for e in rng.sample(records, count)}
    for section in ("DONNEES/ELEVES", "DONNEES/OPTIONS", "DONNEES/STRUCTURES"):
        parent = root.find(section)
        for element in list(parent):
            if element.get("ELEVE_ID") in gone:
                parent.remove(element)
    structures = {s.get("ELEVE_ID"): s for s in root.find("DONNEES/STRUCTURES")}
    templates = [e for e in eleves if e.get("ELEVE_ID") in structures]
    new_ids = []
    for index in range(count):
        template = rng.choice(templates)
        new_id = str(9000000 + index)
        new_ids.append(new_id)
        eleve = copy.deepcopy(template)
        eleve.set("ELEVE_ID", new_id)
        eleve.set("ELENOET", str(90000 + index))
        ine = eleve.find("ID_NATIONAL")
        if ine is not None:
            ine.text = f"{rng.randrange(10**9, 10**10)}{chr(65 + rng.randrange(26))}"
        for tag in ("DATE_SORTIE", "CODE_MOTIF_SORTIE"):
            for element in eleve.findall(tag):
                eleve.remove(element)
        eleves.append(eleve)
        structure = copy.deepcopy(structures[template.get("ELEVE_ID")])
        structure.set("ELEVE_ID", new_id)
        root.find("DONNEES/STRUCTURES").append(structure)

    guardians_tree = etree.parse(str(guardians_path))
    groot = guardians_tree.getroot()
    links = groot.find("DONNEES/RESPONSABLES")
    for link in list(links):
        if link.findtext("ELEVE_ID") in gone:
            links.remove(link)
    persons = groot.find("DONNEES/PERSONNES")
    person_template = persons[0]
    link_template = links[0]
    for index, learner_id in enumerate(new_ids):
        person = copy.deepcopy(person_template)
        person_id = str(9500000 + index)
        person.set("PERSONNE_ID", person_id)
        person.find("PRENOM").text = rng.choice(["Nadia", "Paul", "Sophie", "Karim"])
        persons.append(person)
        link = copy.deepcopy(link_template)
        link.find("ELEVE_ID").text = learner_id
        link.find("PERSONNE_ID").text = person_id
        link.find("RESP_LEGAL").text = "1"
        links.append(link)
    return {
        "learners": _write(learners_tree, out_dir / "ElevesSansAdresses.xml"),
        "guardians": _write(guardians_tree, out_dir / "ResponsablesAvecAdresses.xml"),
        "left": count,
        "arrived": count,
    }
