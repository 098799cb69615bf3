"""Demo content of the PFMP portfolio and the bilan entreprise (``manage.py demo``, through
``extensions.demo_content``, registered after the periods' own demo): the demo's PFMP of the 2MELEC1 learners
(or one created for them when the demo has none), a company and a tutor, fiches activités, one validated bilan
entreprise (its observations « en entreprise » in the follow-up) and one waiting for its tutor, with a link.
Idempotent; nothing is done when MELEC 2024 is not loaded."""

import datetime

from accounts.models import Profile, User
from establishments.models import Division, Establishment, SchoolYear, school_year_start
from periods.models import ActivityFiche, Placement, WorkPeriod
from referentiels.models import ClassLevel, Competency, ReferentielVersion, Task

from . import company_bilans
from .company_models import CompanyBilan

COMPANIES = [
    ("Électricité Martin et fils", "73282932000074", "12 rue des Artisans, 75011 Paris", "Jean Martin",
     "jean.martin@demo.cpro.localhost", "06 12 34 56 78"),
    ("Bâti Élec Services", "", "4 avenue de la Gare, 93100 Montreuil", "Luc Blanc",
     "luc.blanc@demo.cpro.localhost", "06 98 76 54 32"),
]
FICHES = [
    ("Préparation d'un chantier de rénovation", "J'ai lu le dossier avec mon tuteur et préparé la liste du "
     "matériel pour refaire l'installation d'un appartement.", ["T1.1", "T1.2"]),
    ("Pose et raccordement de prises", "J'ai posé et raccordé six prises dans une cuisine, puis vérifié le "
     "fonctionnement avec le tuteur.", ["T2.2", "T2.3"]),
]


def _period(establishment: Establishment, version: ReferentielVersion, teacher) -> WorkPeriod:
    period = WorkPeriod.objects.filter(establishment=establishment, kind=WorkPeriod.Kind.PFMP, version=version,
                                       class_level=ClassLevel.SECONDE).order_by("start_date").first()
    if period is not None:
        return period
    start_year = school_year_start(datetime.date.today())
    year, _ = SchoolYear.objects.get_or_create(
        establishment=establishment, start_year=start_year,
        defaults={"label": f"{start_year}-{start_year + 1}", "start_date": datetime.date(start_year, 9, 1),
                  "end_date": datetime.date(start_year + 1, 8, 31)})
    period = WorkPeriod.objects.create(
        establishment=establishment, school_year=year, version=version, class_level=ClassLevel.SECONDE,
        kind=WorkPeriod.Kind.PFMP, title="PFMP 1 — découverte de l'entreprise",
        start_date=datetime.date(start_year + 1, 1, 5), end_date=datetime.date(start_year + 1, 1, 30),
        objectives="Découvrir l'entreprise et participer à des travaux de câblage simples.", created_by=teacher)
    period.tasks.set(Task.objects.filter(version=version, code__in=["T1.1", "T1.2", "T2.2", "T2.3"]))
    return period


def load_demo_company(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled."""
    teacher, learner = users.get("enseignant"), users.get("apprenant")
    version = ReferentielVersion.objects.filter(diploma__code="MELEC", code="2024").first()
    division = Division.objects.filter(establishment=establishment, code="2MELEC1").first()
    if teacher is None or learner is None or version is None or division is None:
        return
    classmate = User.objects.filter(establishment=establishment, login="demo.apprenant.pfmp").first()
    if classmate is None:
        classmate = User.objects.create_user(login="demo.apprenant.pfmp", password=None,
                                             establishment=establishment, profile=Profile.LEARNER,
                                             last_name="Petit", first_name="Hugo", division=division,
                                             birth_date=datetime.date(2009, 6, 2), must_change_password=True)
    period = _period(establishment, version, teacher)
    placements = []
    for person, company in zip([learner, classmate], COMPANIES, strict=True):
        placement, created = Placement.objects.get_or_create(
            establishment=establishment, period=period, learner=person,
            defaults={"period_title": period.title, "start_date": period.start_date, "end_date": period.end_date})
        if created or not placement.company_name:
            (placement.company_name, placement.company_siret, placement.company_address, placement.tutor_name,
             placement.tutor_email, placement.tutor_phone) = company
            placement.referent = teacher
            placement.save()
        placements.append(placement)
    # Every other learner of the class is on the period too (as the declaration does).
    for other in User.objects.filter(establishment=establishment, profile=Profile.LEARNER, division=division,
                                     is_active=True).exclude(pk__in=[learner.pk, classmate.pk]):
        Placement.objects.get_or_create(establishment=establishment, period=period, learner=other,
                                        defaults={"period_title": period.title, "start_date": period.start_date,
                                                  "end_date": period.end_date})
    tasks = {t.code: t for t in Task.objects.filter(version=version)}
    competencies = {c.code: c for c in Competency.objects.filter(version=version).prefetch_related("criteria")}
    for placement in placements:
        if placement.fiches.exists():
            continue
        for day, (title, description, codes) in enumerate(FICHES):
            fiche = ActivityFiche.objects.create(establishment=establishment, placement=placement, title=title,
                                                 description=description,
                                                 date=period.start_date + datetime.timedelta(days=2 + 7 * day))
            fiche.tasks.set([tasks[code] for code in codes if code in tasks])
        chosen = [competencies[code] for code in ("C1", "C4") if code in competencies]
        placement.assessed_competencies.set(chosen[:1])
        placement.assessed_criteria.set([cr for c in chosen[1:] for cr in c.criteria.all()])
    validated, pending = placements
    if not CompanyBilan.objects.filter(placement=validated).exists() and company_bilans._selected(validated):
        lines = company_bilans._selected(validated)
        data = {line.key: str(level) for line, level in zip(lines, [3, 4, 3, 2, 3, 3, 3, 3, 3], strict=False)}
        data["appreciation"] = "Apprenant ponctuel et curieux, soigneux dans ses raccordements."
        company_bilans.save_bilan(validated, data, actor=teacher, revision=None, signer="Jean Martin",
                                  signed_on=min(period.end_date, datetime.date.today()))
        company_bilans.validate(validated, actor=teacher)
    if not CompanyBilan.objects.filter(placement=pending).exists() and company_bilans._selected(pending):
        company_bilans.create_link(pending, email=pending.tutor_email, actor=teacher,
                                   expires_on=max(period.end_date, datetime.date.today())
                                   + datetime.timedelta(days=30))
