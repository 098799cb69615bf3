"""The diplomas offered in Paramètres › Masque de saisie (pedagogy).

TEMPORARY: a constant list until the référentiels module lands (SPEC §6, national data loaded by a command).
These are the diplomas of the 2TNE family found in ``shared/referentiels`` (see its PROVENANCE.md). When the
``Diploma`` model arrives, the masks keep working: labels are keyed by this code, which should become the
diploma's code.
"""

from typing import NamedTuple


class DiplomaChoice(NamedTuple):
    code: str
    label: str


DIPLOMAS: tuple[DiplomaChoice, ...] = (
    DiplomaChoice("2TNE", "Seconde pro. — Métiers des transitions numérique et énergétique"),
    DiplomaChoice("CIEL", "Bac pro CIEL — Cybersécurité, Informatique et réseaux, Électronique"),
    DiplomaChoice("MELEC", "Bac pro MELEC — Métiers de l'Électricité et de ses Environnements Connectés"),
    DiplomaChoice("MFER", "Bac pro MFER — Métiers du Froid et des Énergies Renouvelables"),
    DiplomaChoice("ICCER", "Bac pro ICCER — Installateur en Chauffage, Climatisation et Énergies Renouvelables"),
    DiplomaChoice("MEE", "Bac pro MEE — Maintenance et Efficacité Énergétique"),
)

DIPLOMA_LABELS = {d.code: d.label for d in DIPLOMAS}


def diploma_label(code: str) -> str | None:
    return DIPLOMA_LABELS.get(code)
