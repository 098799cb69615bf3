"""Demo content (``manage.py demo``, through ``extensions.demo_content``): annexes pédagogiques of MELEC 2024 for
each level (a school one per level and an apprentice one in Première), a PFMP declared for the Seconde from its
annex with the level's learners, and their days entered. Nothing is done when MELEC 2024 is not loaded or not
subscribed (the référentiels' demo, run before, subscribes it). Idempotent: annexes by title, the PFMP by its
creation token."""

import datetime

from django.utils import timezone

from establishments.models import Establishment, school_year_start
from referentiels.establishment_models import Subscription
from referentiels.models import ClassLevel, ReferentielVersion, Task

from .models import PedagogicalAnnex, Placement, WorkPeriod

# title, level, for apprentices, objectives, task codes
DEMO_ANNEXES = [
    ("PFMP 1 — Découverte de l'entreprise", ClassLevel.SECONDE, False,
     "Découvrir l'organisation d'une entreprise d'installation électrique, ses règles de sécurité ; participer "
     "à la préparation et à la réalisation d'opérations simples sous la conduite du tuteur.",
     ["T1.1", "T1.2", "T2.1", "T2.2", "T2.3"]),
    ("PFMP 2 — Réalisation d'installations", ClassLevel.SECONDE, False,
     "Réaliser en autonomie partielle le câblage et le raccordement d'équipements ; rendre compte au tuteur.",
     ["T2.1", "T2.2", "T2.3", "T5.2"]),
    ("PFMP 3 — Mise en service", ClassLevel.PREMIERE, False,
     "Réaliser les vérifications et essais avant mise en service ; participer aux opérations de maintenance.",
     ["T3.1", "T4.1", "T4.2", "T5.1"]),
    ("Période employeur — Apprentis de première", ClassLevel.PREMIERE, True,
     "Tenir un poste d'électricien en équipe ; préparer, réaliser, mettre en service et rendre compte.",
     ["T1.1", "T2.2", "T2.3", "T3.1", "T5.2"]),
    ("PFMP 5 — Maintenance et relation client", ClassLevel.TERMINALE, False,
     "Conduire une intervention de maintenance ou de dépannage ; conseiller le client.",
     ["T4.1", "T4.2", "T5.2", "T5.3"]),
]
DEMO_PERIOD_KEY = "demo-pfmp-seconde-1"


def load_demo_periods(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled."""
    from .work_periods import declare_period

    version = ReferentielVersion.objects.filter(diploma__code="MELEC", code="2024").first()
    if version is None or not Subscription.objects.filter(establishment=establishment,
                                                          diploma=version.diploma).exists():
        return
    actor = users.get("ddfpt") or users.get("enseignant")
    tasks = {t.code: t.pk for t in Task.objects.filter(version=version)}
    existing = {a.title: a for a in PedagogicalAnnex.objects.filter(establishment=establishment, version=version)}
    for title, level, apprentices, objectives, codes in DEMO_ANNEXES:
        if title in existing:
            continue
        annex = PedagogicalAnnex.objects.create(establishment=establishment, version=version, class_level=level,
                                                title=title, for_apprentices=apprentices, objectives=objectives,
                                                created_by=actor)
        annex.tasks.set([tasks[c] for c in codes if c in tasks])
        existing[title] = annex
    if WorkPeriod.objects.filter(establishment=establishment, creation_token=DEMO_PERIOD_KEY).exists():
        return
    from accounts.enrolments import school_year_of
    from accounts.models import Profile, User

    year = school_year_of(establishment, school_year_start(timezone.localdate()))
    learners = list(User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True,
                                        division__cohort__version=version,
                                        division__cohort__class_level=ClassLevel.SECONDE).values_list("pk", flat=True))
    if not learners:
        return
    annex = existing[DEMO_ANNEXES[0][0]]
    start = datetime.date(year.start_year, 11, 16)  # three weeks, Monday 16 to Friday 4 December (2026)
    start -= datetime.timedelta(days=start.weekday())
    end = start + datetime.timedelta(days=18)
    period, _created = declare_period(
        annex=annex, actor=actor, school_year=year, title=annex.title, start_date=start, end_date=end,
        objectives=annex.objectives, learner_ids=learners, task_ids=annex.tasks.values_list("pk", flat=True),
        token=DEMO_PERIOD_KEY)
    for n, placement in enumerate(Placement.objects.filter(period=period).order_by("id")):
        placement.days_absent = 1 if n % 2 == 0 else 0
        placement.days_caught_up = 1 if n % 4 == 0 else 0
        placement.days_done = (placement.days_planned or 0) - placement.days_absent + placement.days_caught_up
        placement.company_name = placement.company_name or "Électricité Martin et fils"
        placement.save(update_fields=["days_absent", "days_caught_up", "days_done", "company_name"])
