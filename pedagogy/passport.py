"""Passeport professionnel (issue 14): what a learner leaves with and shows an employer, as one PDF.

``passport(learner, establishment)`` gathers, in a fixed number of queries whatever the learner's history:

- the establishment's identity (name, UAI, address, logo, cachet — images downscaled, so the PDF stays light);
- the learner's identity (name, birth date, INE), their diploma and référentiel version;
- the competencies acquired: for each competency, the level retained in the learner's last validated bilan that
  assessed it; a competency no bilan retained yet shows the level proposed from the observations
  (``pedagogy.levels``), marked « proposé »;
- the work periods (PFMP, périodes employeur) with the company and the tasks done;
- the achievements the learner picked in their book.

One template (``pedagogy/passport/_document.html``) is the screen page, its print and the PDF. The export is
refused, saying what is missing, while the establishment has no name, e-mail or UAI.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from documents.formats import File, pdf
from periods.models import Placement
from referentiels.models import Competency, Task

from . import levels
from .book import achievements_of, learner_version
from .evaluation_models import Bilan, BilanLine, Level, Observation
from .evaluation_settings import parameters_for
from .pdf_images import data_uri

MISSING_IDENTITY = ("L'export du passeport n'est pas encore possible : l'établissement doit d'abord renseigner "
                    "{missing} dans ses paramètres. Signalez-le au secrétariat ou au chef d'établissement.")
LOGO_SIDE = 400  # pixels: about 4 cm at 250 dpi, enough for print, a few dozen Ko


@dataclass
class CompetencyLevel:
    code: str
    label: str
    level: int
    level_label: str
    proposed: bool  # not retained in a bilan yet: the level proposed from the evidence
    on: date | None = None  # the end of the bilan's period (retained) or the computation day (proposed)


@dataclass
class PeriodRow:
    title: str
    kind: str
    start: date | None
    end: date | None
    company: str
    company_address: str
    tutor: str
    days_done: int | None
    tasks: list = field(default_factory=list)
    # True when ``tasks`` are the tasks the learner's fiches activités record (reviewed by the teacher); False when
    # no fiche exists and they are the tasks planned for the period.
    tasks_done: bool = False


@dataclass
class Passport:
    establishment: object
    learner: User
    logo: str | None
    stamp: str | None
    version: object
    competencies: list[CompetencyLevel]
    periods: list[PeriodRow]
    achievements: list
    enrolments: list
    generated_on: date
    missing: list[str]

    @property
    def title(self) -> str:
        return self.learner.full_name

    @property
    def retained(self) -> list[CompetencyLevel]:
        return [c for c in self.competencies if not c.proposed]

    @property
    def proposed(self) -> list[CompetencyLevel]:
        return [c for c in self.competencies if c.proposed]


def missing_message(establishment) -> str:
    missing = establishment.missing_identity()
    if not missing:
        return ""
    text = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " et " + missing[-1]
    return MISSING_IDENTITY.format(missing=text)


def _version(learner: User):
    """The learner's class's version; else that of their last validated bilan; else of their last work period."""
    version = learner_version(learner)
    if version is not None:
        return version
    bilan = (Bilan.objects.filter(establishment_id=learner.establishment_id, learner=learner,
                                  status=Bilan.Status.VALIDATED)
             .select_related("version__diploma").order_by("-period_end", "-id").first())
    if bilan is not None:
        return bilan.version
    placement = (Placement.objects.filter(establishment_id=learner.establishment_id, learner=learner,
                                          period__isnull=False)
                 .select_related("period__version__diploma").order_by("-start_date", "-id").first())
    return placement.period.version if placement else None


def competency_levels(learner: User, version, today: date) -> list[CompetencyLevel]:
    """Retained levels (last validated bilan per competency), then proposed ones for the others. Four queries."""
    if version is None:
        return []
    competencies = list(Competency.objects.filter(version=version).order_by("position", "id"))
    by_id = {c.pk: c for c in competencies}
    retained: dict[int, tuple[int, date]] = {}
    lines = (BilanLine.objects.filter(establishment_id=learner.establishment_id, bilan__learner=learner,
                                      bilan__status=Bilan.Status.VALIDATED, competency_id__in=by_id,
                                      retained_level__gt=Level.NE)
             .order_by("bilan__period_end", "bilan__validated_at", "bilan_id")
             .values_list("competency_id", "retained_level", "bilan__period_end"))
    for competency_id, level, on in lines:  # the last validated bilan wins
        retained[competency_id] = (level, on)
    parameters = parameters_for(learner.establishment_id)
    pending = [pk for pk in by_id if pk not in retained]
    proposals = {}
    if pending:
        observations = Observation.objects.filter(
            establishment_id=learner.establishment_id, learner=learner, competency_id__in=pending,
            level__gt=Level.NE, date__lte=today).only("pk", "learner_id", "competency_id", "level", "type", "date")
        proposals = levels.propose_many(observations, today, parameters)
    labels = dict(Level.choices)
    rows = []
    for competency in competencies:
        if competency.pk in retained:
            level, on = retained[competency.pk]
            rows.append(CompetencyLevel(competency.code, competency.label, level, labels[level], False, on))
            continue
        proposal = proposals.get((learner.pk, competency.pk))
        if proposal is not None and proposal.level:
            rows.append(CompetencyLevel(competency.code, competency.label, proposal.level,
                                        labels[proposal.level], True, today))
    return rows


def work_periods(learner: User) -> list[PeriodRow]:
    """The learner's work periods, oldest first, with the company and the tasks done: those ticked on the learner's
    fiches activités of that period (as the referent teacher left them), else the tasks planned for the period.
    Three queries."""
    task_order = Task.objects.order_by("position", "id")
    placements = (Placement.objects.filter(establishment_id=learner.establishment_id, learner=learner)
                  .select_related("period")
                  .prefetch_related(Prefetch("period__tasks", queryset=task_order),
                                    Prefetch("fiches__tasks", queryset=task_order))
                  .order_by("start_date", "id"))
    rows = []
    for placement in placements:
        period = placement.period
        done = {task.pk: task for fiche in placement.fiches.all() for task in fiche.tasks.all()}
        tasks = sorted(done.values(), key=lambda task: (task.position, task.pk)) if done else (
            list(period.tasks.all()) if period else [])
        rows.append(PeriodRow(
            title=placement.period_title or (period.title if period else ""),
            kind=period.get_kind_display() if period else "",
            start=placement.start_date or (period.start_date if period else None),
            end=placement.end_date or (period.end_date if period else None),
            company=placement.company_name, company_address=placement.company_address, tutor=placement.tutor_name,
            days_done=placement.days_done, tasks=tasks, tasks_done=bool(done)))
    return rows


def passport(learner: User, establishment, *, today: date | None = None, images: bool = True) -> Passport:
    today = today or timezone.localdate()
    version = _version(learner)
    achievements = list(achievements_of(learner, picked_only=True).order_by("date", "id"))
    for achievement in achievements:
        photo = next((f for f in achievement.files.all() if f.is_image), None)
        achievement.photo = data_uri(photo.file, max_side=500) if (images and photo) else None
    return Passport(
        establishment=establishment, learner=learner,
        logo=data_uri(establishment.logo, max_side=LOGO_SIDE) if images else None,
        stamp=data_uri(establishment.stamp, max_side=LOGO_SIDE) if images else None,
        version=version, competencies=competency_levels(learner, version, today),
        periods=work_periods(learner), achievements=achievements,
        enrolments=list(learner.enrolments.filter(establishment_id=learner.establishment_id)
                        .select_related("school_year", "division").order_by("-start_date", "-pk")),
        generated_on=today, missing=establishment.missing_identity())


def filename(learner: User) -> str:
    return f"passeport-{slugify(f'{learner.last_name} {learner.first_name}') or learner.pk}.pdf"


def passport_pdf(data: Passport) -> File:
    """The PDF (its metadata title is the learner's name: the ``<title>`` of the template)."""
    return pdf("pedagogy/passport/passport_pdf.html", {"passport": data, "document": True, "css": _css()},
               filename(data.learner))


def _css() -> str:
    """The screen's stylesheet, inlined (WeasyPrint reads no file): one look on screen, in print and in PDF."""
    from django.contrib.staticfiles import finders

    path = finders.find("pedagogy/passport.css")
    if not path:
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()
