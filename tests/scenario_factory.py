"""Scenarios built in the export and resource tests (issue 11), directly in the database."""

from establishments.scoping import scopes_disabled
from pedagogy.models import Scenario
from referentiels.models import Criterion

from .referentiel_factory import make_version


def melec_version(criteria_per_competency: int = 2, competencies: int = 2):
    """A MELEC 2024 version: tasks T1.1 and T2.3, competencies C1, C2… with criteria (long French labels)."""
    competency_rows = [
        (f"C{n}", f"Compétence n° {n} : réaliser l'installation « électrique » conforme à l'état de l'art",
         [f"Critère {n}.{k} : les règles de l'art sont respectées ; le matériel est mis en œuvre" for k in
          range(1, criteria_per_competency + 1)], [])
        for n in range(1, competencies + 1)
    ]
    tasks = [("T1.1", "Prendre connaissance du dossier", ["C1"], []),
             ("T2.3", "Raccorder les équipements électriques", [c[0] for c in competency_rows[:2]], ["1RE"])]
    return make_version(competencies=competency_rows, tasks=tasks)


def make_scenario(establishment, version, *, authors=(), title="Câblage d'un tableau électrique", link=True,
                  **fields):
    fields.setdefault("situation", "Le client souhaite rénover son installation.\nDeuxième ligne : « urgent » !")
    fields.setdefault("equipment", "Tableau pédagogique, multimètre")
    with scopes_disabled():
        scenario = Scenario.objects.create(establishment=establishment, version=version, class_level="1RE",
                                           title=title, co_intervention=True, **fields)
        scenario.authors.set(authors)
        if link:
            scenario.tasks.set(version.tasks.all())
            scenario.competencies.set(version.competencies.all())
            scenario.criteria.set(Criterion.objects.filter(competency__version=version))
    return scenario
