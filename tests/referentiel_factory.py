"""Small référentiels built in the tests (the shipped files are loaded by ``load_referentiel`` elsewhere)."""

from referentiels.models import (
    Activity,
    Block,
    BlockCompetency,
    Competency,
    CompetencyTransversal,
    Criterion,
    Diploma,
    MefCode,
    ReferentielVersion,
    Task,
    TaskCompetency,
)


def make_version(diploma_code="MELEC", version_code="2024", *, name="Métiers de l'électricité", session=2026,
                 mef=(), predecessor=None, tasks=None, competencies=None):
    """A version with one block, one activity, tasks and competencies.

    ``mef``: ``[(code, level)]``; ``tasks``: ``[(code, label, [competency codes], levels)]``; ``competencies``:
    ``[(code, label, [criteria], levels)]``.
    """
    diploma, _ = Diploma.objects.get_or_create(code=diploma_code, defaults={"name": name, "kind": "BAC_PRO"})
    version = ReferentielVersion.objects.create(
        diploma=diploma, code=version_code, label=f"{diploma_code} {version_code}", first_session=session,
        source=f"Arrêté de création du baccalauréat professionnel {diploma_code}", predecessor=predecessor)
    for code, level in mef:
        MefCode.objects.create(version=version, code=code, class_level=level)
    block = Block.objects.create(version=version, code="B1", kind="bloc", label="Préparation des opérations",
                                 position=1)
    activity = Activity.objects.create(version=version, block=block, code="A1", label="Réalisation", position=1)
    competencies = competencies if competencies is not None else [
        ("C1", "Analyser les conditions de l'opération", ["Les informations sont recueillies"], []),
        ("C7", "Réaliser un équipement électrique", ["Les règles de l'art sont respectées",
                                                      "Le matériel est mis en œuvre"], ["1RE", "TLE"]),
    ]
    by_code = {}
    for position, (code, label, criteria, levels) in enumerate(competencies, 1):
        competency = Competency.objects.create(version=version, code=code, label=label, position=position,
                                               class_levels=levels)
        by_code[code] = competency
        BlockCompetency.objects.create(block=block, competency=competency)
        for rank, text in enumerate(criteria, 1):
            Criterion.objects.create(competency=competency, position=rank, label=text)
    tasks = tasks if tasks is not None else [
        ("T1.1", "Prendre connaissance du dossier", ["C1"], []),
        ("T2.3", "Raccorder les équipements électriques", ["C7"], ["1RE"]),
    ]
    for position, (code, label, linked, levels) in enumerate(tasks, 1):
        task = Task.objects.create(version=version, activity=activity, code=code, label=label, position=position,
                                   class_levels=levels)
        for competency_code in linked:
            TaskCompetency.objects.create(task=task, competency=by_code[competency_code])
    return version


def add_transversal(version, transversal_version, competency_code="C1", code="CC1", label="Communiquer"):
    transversal, _ = Competency.objects.get_or_create(version=transversal_version, code=code, defaults={
        "label": label, "kind": Competency.Kind.TRANSVERSAL})
    CompetencyTransversal.objects.create(competency=version.competencies.get(code=competency_code),
                                         transversal=transversal)
    return transversal
