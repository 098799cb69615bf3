"""Demo content (``manage.py demo``, through ``extensions.demo_content``): a school year of MELEC 2024 scenarios
written by the demo teacher, linked to the référentiel's tasks, competencies and criteria. Nothing is done when
MELEC 2024 is not loaded or the establishment does not subscribe to MELEC (the référentiels' demo, run before,
subscribes it)."""

from establishments.models import Establishment
from referentiels.establishment_models import Subscription
from referentiels.models import ClassLevel, Competency, ReferentielVersion, Task

from .models import Scenario, ScenarioResource

# title, level, situation, equipment, spaces, tasks, competencies (all their criteria), co-intervention
DEMO_SCENARIOS = [
    ("Découverte de l'atelier et des règles de sécurité électrique", ClassLevel.SECONDE,
     "Premier jour à l'atelier : l'apprenant découvre les postes de travail, les consignes de sécurité et les "
     "équipements de protection individuelle avant toute intervention.",
     "EPI, VAT, cadenas de consignation, affichage de sécurité", "Atelier électrotechnique", ["T2.1"], ["C2"], False),
    ("Câblage d'un va-et-vient dans un logement", ClassLevel.SECONDE,
     "Le client souhaite commander l'éclairage du couloir depuis ses deux extrémités. Mission : poser et câbler "
     "le circuit sur la cellule de l'atelier, puis vérifier son fonctionnement.",
     "Cellule habitat, interrupteurs va-et-vient, conducteurs H07V-U, pince à dénuder", "Atelier, cellule habitat",
     ["T2.2", "T2.3"], ["C4"], False),
    ("Tableau de répartition d'un studio", ClassLevel.SECONDE,
     "Un studio en rénovation : réaliser le tableau (disjoncteurs, interrupteur différentiel) selon le schéma "
     "fourni et la norme NF C 15-100.",
     "Coffret 13 modules, disjoncteurs, ID 30 mA, peignes", "Atelier électrotechnique",
     ["T2.3", "T3.1"], ["C4", "C5"], False),
    ("Mesures et essais avant mise en service", ClassLevel.SECONDE,
     "Avant la mise sous tension d'une installation terminée, contrôler la continuité, l'isolement et le "
     "fonctionnement des dispositifs différentiels.",
     "Multimètre, contrôleur d'installation, fiche d'autocontrôle", "Atelier, zone d'essais",
     ["T3.1"], ["C5", "C7"], True),
    ("Lecture d'un dossier technique de chantier", ClassLevel.PREMIERE,
     "Préparer une intervention dans une maison individuelle à partir du dossier : plans, schémas, liste de "
     "matériel ; compléter la liste et signaler les écarts.",
     "Dossier technique papier et numérique, tablette", "Salle de technologie",
     ["T1.1", "T1.2", "T1.3"], ["C1", "C3", "C11"], False),
    ("Mise en service d'une VMC hygroréglable", ClassLevel.PREMIERE,
     "Le bailleur fait remplacer la VMC d'un logement collectif : installer, raccorder, régler et mettre en "
     "service, puis expliquer le fonctionnement à l'occupant.",
     "Caisson VMC, bouches hygroréglables, anémomètre", "Plateau habitat-tertiaire",
     ["T2.2", "T2.3", "T3.1", "T5.2"], ["C4", "C6", "C7", "C13"], False),
    ("Dépannage d'un éclairage de parking", ClassLevel.PREMIERE,
     "L'éclairage du parking d'une résidence ne s'allume plus la nuit. Diagnostiquer la panne (horloge, "
     "détecteur, protection), remplacer le matériel défectueux et consigner l'intervention.",
     "Schémas, horloge astronomique, détecteur de présence, VAT", "Atelier, maquette éclairage extérieur",
     ["T4.2", "T5.1"], ["C8", "C9", "C11"], True),
    ("Maintenance préventive d'un tableau tertiaire", ClassLevel.TERMINALE,
     "Selon le contrat de maintenance d'un cabinet médical, réaliser la visite annuelle du TGBT : serrages, "
     "essais des différentiels, relevés, compte rendu au client.",
     "Caméra thermique, clé dynamométrique, gamme de maintenance", "Plateau tertiaire",
     ["T4.1", "T5.2"], ["C5", "C7", "C12"], False),
    ("Borne de recharge pour véhicule électrique", ClassLevel.TERMINALE,
     "Un particulier fait installer une borne de recharge 7 kW dans son garage : dimensionner la ligne, "
     "installer, paramétrer la borne et conseiller le client sur son usage.",
     "Borne 7 kW, câble 3G10, application de paramétrage", "Atelier, plateau IRVE",
     ["T1.1", "T2.2", "T3.1", "T5.3"], ["C3", "C6", "C13"], False),
]


def load_demo_scenarios(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled. Idempotent (by title)."""
    teacher = users.get("enseignant")
    version = ReferentielVersion.objects.filter(diploma__code="MELEC", code="2024").first()
    if teacher is None or version is None or not Subscription.objects.filter(
            establishment=establishment, diploma=version.diploma).exists():
        return
    tasks = {t.code: t.pk for t in Task.objects.filter(version=version)}
    competencies = {c.code: c for c in Competency.objects.filter(version=version).prefetch_related(
        "criteria", "transversal_links")}
    existing = set(Scenario.objects.filter(establishment=establishment, version=version)
                   .values_list("title", flat=True))
    for title, level, situation, equipment, spaces, task_codes, competency_codes, co_intervention in DEMO_SCENARIOS:
        if title in existing:
            continue
        scenario = Scenario.objects.create(
            establishment=establishment, version=version, class_level=level, title=title,
            co_intervention=co_intervention, situation=situation, equipment=equipment, training_spaces=spaces,
            created_by=teacher, updated_by_name=f"{teacher.first_name} {teacher.last_name}".strip())
        scenario.authors.add(teacher)
        scenario.tasks.set([tasks[code] for code in task_codes if code in tasks])
        chosen = [competencies[code] for code in competency_codes if code in competencies]
        scenario.competencies.set(chosen)
        scenario.criteria.set([criterion for c in chosen for criterion in c.criteria.all()])
        scenario.transversal_competencies.set({link.transversal_id for c in chosen for link in
                                               c.transversal_links.all()})
        ScenarioResource.objects.create(
            establishment=establishment, scenario=scenario, kind=ScenarioResource.Kind.LINK,
            title="Norme NF C 15-100 (présentation, Promotelec)", url="https://www.promotelec.com/")
