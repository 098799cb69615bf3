"""What the later modules' pages need in the benchmark school (``bench.load.school.build_school`` calls it).

The imported school has classes of MELEC (Seconde, Première, Terminale) and of a CAP whose référentiel is not
shipped. Through the project's own services (bulk creation where a service would cost a statement per row):

- the shipped référentiels loaded if MELEC 2024 is missing, the subscription, the cohorts proposed from the MEF codes
  (then moved to MELEC 2024, as a DDFPT would choose);
- the official periods of the current school year (the console's demo: three trimesters, LSL, certification);
- one scenario per MELEC level, six competencies each;
- a grille de positionnement for every teacher of a MELEC class (on one class they teach), half its cells filled;
- validated Trimestre 1 bilans for the first pooled MELEC learners;
- the PFMP of the Seconde (the periods' demo: annexes and a declared period with every Seconde learner);
- the book activated and two achievements (one for the passport) for the pooled MELEC learners;
- ``TUTOR_LINKS`` placements with a company, a tutor and two assessed competencies; each build gives them a new
  tutor link (a used link serves once): the tokens go to the locustfile only.

Idempotent and cheap (a few seconds on the 1,470-learner school): what exists is left alone.
"""

from __future__ import annotations

import datetime

GRID_TOKEN = "banc-grille-{teacher}"  # noqa: S105 - creation tokens (idempotence), not secrets
SCENARIO_TOKEN = "banc-scenario-{level}"  # noqa: S105 - idem
BILAN_LEARNERS = 120  # validated Trimestre 1 bilans (pooled MELEC learners, in pk order)
ACHIEVEMENT_LEARNERS = 400
TUTOR_LINKS = 20
COMPETENCIES_PER_SCENARIO = 6


def build_modules(establishment, pooled: dict[str, list[int]], *, links: bool = True, log=print) -> dict:
    """``pooled``: profile -> the pks of the pooled accounts. Returns ``{"teachers": {pk: {...}}, "learners":
    {pk: {...}}, "tutor_links": [{"bilan", "token"}], "pfmp_period", "console": …}`` for the locustfile."""
    from accounts.models import Profile, User
    from periods.demo_official import load_demo_official_periods
    from referentiels.cohorts import propose_cohorts
    from referentiels.establishment_models import Cohort
    from referentiels.services import subscribe

    version = _melec_version()
    subscribe(establishment, version.diploma)
    if not Cohort.objects.filter(establishment=establishment).exists():
        propose_cohorts(establishment, actor_name="Banc de charge")
        # The generator's MEF codes are those of MELEC 2016: the classes then choose the current version, as
        # a DDFPT would in « Classes et diplômes » (bulk: one statement).
        Cohort.objects.filter(establishment=establishment, version__diploma=version.diploma).exclude(
            version=version).update(version=version, source=Cohort.Source.CHOSEN, updated_by_name="Banc de charge")
    ddfpt = User.objects.filter(establishment=establishment, profile=Profile.DDFPT).order_by("pk").first()
    load_demo_official_periods(establishment, {})
    scenarios = _scenarios(establishment, version, ddfpt)
    teachers = _grids(establishment, version, scenarios, pooled.get(Profile.TEACHER.value, []))
    learners = _bilans(establishment, version, pooled.get(Profile.LEARNER.value, []), teachers)
    period = _pfmp(establishment, ddfpt)
    _book(establishment, version, pooled.get(Profile.LEARNER.value, [])[:ACHIEVEMENT_LEARNERS])
    tutor_links = _tutor_links(establishment, version, period, ddfpt) if links and period else []
    if period is not None:
        seconde = set(User.objects.filter(establishment=establishment, placements__period=period)
                      .values_list("division_id", flat=True))
        for data in teachers.values():
            data["pfmp_period"] = period.pk if data["division"] in seconde else None
    return {"teachers": {str(pk): data for pk, data in teachers.items()},
            "learners": {str(pk): data for pk, data in learners.items()},
            "pfmp_period": period.pk if period else None, "tutor_links": tutor_links}


def _melec_version():
    from referentiels.loader import load_files
    from referentiels.models import ReferentielVersion
    from referentiels.shipped import shipped_files

    version = ReferentielVersion.objects.filter(diploma__code="MELEC", code="2024").select_related("diploma").first()
    if version is None:
        load_files(shipped_files())  # MELEC 2024 refers to MELEC 2016 and to its famille de métiers (2TNE)
        version = ReferentielVersion.objects.select_related("diploma").get(diploma__code="MELEC", code="2024")
    return version


def _scenarios(establishment, version, actor) -> dict:
    from pedagogy.scenario_services import create_scenario
    from referentiels.models import ClassLevel, Competency

    competencies = list(Competency.objects.filter(version=version).order_by("position", "pk")
                        .values_list("pk", flat=True))
    scenarios = {}
    for n, level in enumerate((ClassLevel.SECONDE, ClassLevel.PREMIERE, ClassLevel.TERMINALE)):
        chosen = competencies[n:n + COMPETENCIES_PER_SCENARIO] or competencies[:COMPETENCIES_PER_SCENARIO]
        scenarios[level.value], _ = create_scenario(
            establishment=establishment, actor=actor, version=version, class_level=level,
            data={"title": f"Banc — situation professionnelle ({level.label})", "competencies": chosen,
                  "situation": "Une situation de travail évaluée en atelier."},
            token=SCENARIO_TOKEN.format(level=level.value))
    return scenarios


def _grids(establishment, version, scenarios, teacher_pks) -> dict[int, dict]:
    """One grid per pooled teacher of a MELEC class, on their first such class; half its cells filled."""
    from django.utils import timezone

    from accounts.models import Profile, User
    from establishments.models import Division
    from pedagogy.evaluation_models import EvaluationType, Grid, Observation
    from pedagogy.grids import source_label

    classes = {d.pk: d for d in Division.objects.filter(establishment=establishment, cohort__version=version)
               .select_related("cohort")}
    taught = {}
    for teacher_pk, division_pk in (User.divisions_taught.through.objects
                                    .filter(user_id__in=teacher_pks, division_id__in=list(classes))
                                    .order_by("user_id", "division_id").values_list("user_id", "division_id")):
        taught.setdefault(teacher_pk, division_pk)
    learners_of: dict[int, list[int]] = {}
    for pk, division_pk in (User.objects.filter(establishment=establishment, profile=Profile.LEARNER,
                                                is_active=True, division_id__in=set(taught.values()))
                            .order_by("last_name", "first_name", "pk").values_list("pk", "division_id")):
        learners_of.setdefault(division_pk, []).append(pk)
    existing = dict(Grid.objects.filter(establishment=establishment, creation_token__startswith=GRID_TOKEN[:12])
                    .values_list("creation_token", "pk"))
    today = timezone.localdate()
    on = min(today, datetime.date(today.year if today.month >= 9 else today.year - 1, 11, 16))
    teachers, rows = {}, []
    names = dict(User.objects.filter(pk__in=list(taught)).values_list("pk", "last_name"))
    for teacher_pk, division_pk in taught.items():
        division, token = classes[division_pk], GRID_TOKEN.format(teacher=teacher_pk)
        scenario = scenarios.get(division.cohort.class_level) or next(iter(scenarios.values()))
        learners = learners_of.get(division_pk, [])
        if not learners:
            continue
        grid_pk = existing.get(token)
        if grid_pk is None:
            grid = Grid.objects.create(establishment=establishment, scenario=scenario, title=f"{scenario.title} — "
                                       f"{division.code}", type=EvaluationType.FORMATIVE, date=on,
                                       created_by_id=teacher_pk, creation_token=token)
            grid.learners.set(learners)
            label = source_label(grid)
            for i, learner_pk in enumerate(learners):
                for j, competency_pk in enumerate(scenario.competencies.values_list("pk", flat=True)):
                    if (i + j) % 2 == 0:
                        rows.append(Observation(
                            establishment=establishment, learner_id=learner_pk, competency_id=competency_pk,
                            level=1 + (i + 2 * j) % 4, type=EvaluationType.FORMATIVE, date=on,
                            observer_id=teacher_pk, observer_name=names.get(teacher_pk, ""), grid=grid,
                            source_label=label))
            grid_pk = grid.pk
        teachers[teacher_pk] = {"grid": grid_pk, "division": division_pk, "learner": learners[0]}
    Observation.objects.bulk_create(rows, batch_size=2000)
    return teachers


def _bilans(establishment, version, learner_pks, teachers) -> dict[int, dict]:
    """The current school year's trimesters of each MELEC level; validated Trimestre 1 bilans for the first
    pooled learners (by their class's grid teacher); returns per pooled MELEC learner its periods."""
    from accounts.models import User
    from pedagogy import bilan_selectors, bilans
    from pedagogy.evaluation_models import Bilan
    from periods.models import OfficialPeriod
    from periods.official_periods import current_school_year

    year = current_school_year(establishment)
    terms: dict[str, list] = {}
    for period in (OfficialPeriod.objects.filter(establishment=establishment, school_year=year,
                                                 diploma=version.diploma, kind__in=OfficialPeriod.BILAN_KINDS)
                   .order_by("start_date", "pk")):
        terms.setdefault(period.class_level, []).append(period)
    teacher_of = {data["division"]: pk for pk, data in teachers.items()}
    learners = list(User.objects.filter(pk__in=learner_pks, division__cohort__version=version, is_active=True)
                    .select_related("division__cohort__version__diploma").order_by("pk"))
    done = set(Bilan.objects.filter(establishment=establishment, learner__in=learners)
               .values_list("learner_id", "period_id"))
    result = {}
    for n, learner in enumerate(learners):
        periods = terms.get(learner.division.cohort.class_level, [])
        if not periods:
            continue
        result[learner.pk] = {"period": periods[0].pk, "current_period": periods[min(1, len(periods) - 1)].pk}
        teacher_pk = teacher_of.get(learner.division_id)
        if n >= BILAN_LEARNERS or teacher_pk is None or (learner.pk, periods[0].pk) in done:
            continue
        sheet = bilan_selectors.sheet(establishment, learner, periods[0], load_bilan=False)
        bilans.save(sheet, actor=User.objects.get(pk=teacher_pk),
                    levels={row.competency.pk: row.retained for row in sheet.rows},
                    appreciation="Trimestre sérieux, des progrès à l'atelier.", revision=0, validate=True)
    for data in teachers.values():  # the class overview and a learner's form open on the class's trimesters
        learner = User.objects.filter(pk=data["learner"]).select_related("division__cohort").first()
        periods = terms.get(learner.division.cohort.class_level, []) if learner else []
        data["period"] = periods[0].pk if periods else None
        data["current_period"] = periods[min(1, len(periods) - 1)].pk if periods else None
    return result


def _pfmp(establishment, ddfpt):
    from periods.demo import DEMO_PERIOD_KEY, load_demo_periods
    from periods.models import WorkPeriod

    load_demo_periods(establishment, {"ddfpt": ddfpt})
    return WorkPeriod.objects.filter(establishment=establishment, creation_token=DEMO_PERIOD_KEY).first()


def _book(establishment, version, learner_pks) -> None:
    from django.utils import timezone

    from accounts.models import User
    from pedagogy.book_models import Achievement

    if not establishment.book_enabled:
        establishment.book_enabled = True
        establishment.save(update_fields=["book_enabled"])
    have = set(Achievement.objects.filter(establishment=establishment, learner_id__in=learner_pks)
               .values_list("learner_id", flat=True))
    today = timezone.localdate()
    rows = []
    for pk in User.objects.filter(pk__in=learner_pks, division__cohort__version=version).values_list("pk", flat=True):
        if pk in have:
            continue
        rows += [Achievement(establishment=establishment, learner_id=pk, title="Câblage d'un va-et-vient",
                             date=today - datetime.timedelta(days=60), setting=Achievement.Setting.SCHOOL,
                             context="Atelier, cellule habitat.", actions="J'ai câblé et vérifié le montage.",
                             version=version, for_passport=True),
                 Achievement(establishment=establishment, learner_id=pk, title="Pose de prises en PFMP",
                             date=today - datetime.timedelta(days=15), setting=Achievement.Setting.COMPANY,
                             context="PFMP chez un artisan.", actions="J'ai posé et raccordé six prises.",
                             version=version)]
    Achievement.objects.bulk_create(rows, batch_size=2000)


def _tutor_links(establishment, version, period, actor) -> list[dict]:
    """``TUTOR_LINKS`` placements ready for their tutor; a new link each (the tokens exist only here)."""
    from django.db import transaction
    from django.utils import timezone

    from pedagogy.company_bilans import create_link
    from periods.models import Placement
    from referentiels.models import Competency

    chosen = list(Competency.objects.filter(version=version).order_by("position", "pk")[:2])
    placements = list(Placement.objects.filter(period=period).order_by("pk")[:TUTOR_LINKS])
    expires = timezone.localdate() + datetime.timedelta(days=30)
    links = []
    for n, placement in enumerate(placements):
        if not placement.tutor_email:
            placement.company_name, placement.tutor_name = f"Électricité Banc {n + 1}", f"Tuteur Banc {n + 1}"
            placement.tutor_email = f"tuteur{n + 1}@entreprise-banc.fr"
            placement.save(update_fields=["company_name", "tutor_name", "tutor_email"])
            placement.assessed_competencies.set(chosen)
        with transaction.atomic():
            link, token = create_link(placement, email=placement.tutor_email, expires_on=expires,
                                      actor=actor)
        links.append({"bilan": link.bilan_id, "token": token, "lines": [f"level-{c.pk}-0" for c in chosen]})
    return links


def measured_users_and_context(establishment) -> tuple[dict, dict]:
    """For ``bench/load/pages.py``: the accounts whose pages the builder filled (a teacher with a grid, a learner
    with a validated bilan and a book, that learner's guardian) and the values of the modules' paths
    (``{grid}``, ``{division}``, ``{current_period}``, ``{bilan_learner}``, ``{pfmp_period}``, ``{grid_cell}``).
    Empty when the builder did not run. A few queries."""
    from accounts.models import Profile, User
    from pedagogy.evaluation_models import Bilan, Grid, Observation
    from periods.demo import DEMO_PERIOD_KEY
    from periods.models import WorkPeriod

    users, context = {}, {}
    period = WorkPeriod.objects.filter(establishment=establishment, creation_token=DEMO_PERIOD_KEY).first()
    on_pfmp = set(period.placements.values_list("learner__division_id", flat=True)) if period else set()
    grids = list(Grid.objects.filter(establishment=establishment, creation_token__startswith=GRID_TOKEN[:12])
                 .select_related("created_by", "scenario").order_by("pk")[:100])
    on_pfmp_grids = set(Grid.learners.through.objects.filter(grid__in=grids, user__division_id__in=on_pfmp)
                        .values_list("grid_id", flat=True))
    # A teacher whose grid's class is on the PFMP (the portfolios' page shows their learners), else the first.
    grid = next((g for g in grids if g.pk in on_pfmp_grids), grids[0] if grids else None)
    if grid is not None and grid.created_by is not None:
        teacher = grid.created_by
        learner = grid.learners.order_by("last_name", "first_name", "pk").select_related("division__cohort").first()
        users[Profile.TEACHER.value] = teacher
        context["grid"] = grid.pk
        bilan = (Bilan.objects.filter(establishment=establishment, learner__division=learner.division)
                 .order_by("pk").first())
        if bilan is not None:
            from periods.models import OfficialPeriod

            current = (OfficialPeriod.objects.filter(establishment=establishment, school_year=bilan.period.school_year,
                                                     diploma=bilan.period.diploma,
                                                     class_level=bilan.period.class_level,
                                                     kind__in=OfficialPeriod.BILAN_KINDS)
                       .exclude(pk=bilan.period_id).order_by("start_date").first()) or bilan.period
            context.update(division=learner.division_id, current_period=current.pk, bilan_learner=learner.pk)
            users[Profile.LEARNER.value] = bilan.learner
            guardian = User.objects.filter(establishment=establishment, profile=Profile.GUARDIAN, is_active=True,
                                           learner_links__learner=bilan.learner).order_by("pk").first()
            if guardian is not None:
                users[Profile.GUARDIAN.value] = guardian
        competency = grid.scenario.competencies.order_by("position", "pk").first()
        saved = (Observation.objects.filter(grid=grid, learner=learner, competency=competency, criterion=None)
                 .values_list("level", flat=True).first())
        context["grid_cell"] = {"learner": learner.pk, "competency": competency.pk, "criterion": None,
                                "saved": saved or 0}
        if learner.division_id in on_pfmp:
            context["pfmp_period"] = period.pk
    return users, context
