"""Reading bilans intermédiaires: the sheet of one learner for one official period, the class overview.

A **sheet** is what the bilan form shows: every competency of the learner's référentiel version, with

- the **proposed level** at the end of the period (``pedagogy.levels.propose`` over the learner's observations
  dated up to ``period.end_date``) and how many observations it came from;
- the **retained level**: for a validated bilan, the frozen snapshot (``BilanLine.retained_level``, and the
  proposed level stored at validation: later observations never change it); for a draft, the teacher's choice
  where it differed from the proposal when it was saved, otherwise the current proposal; for a new bilan, the
  proposal (NE when nothing counts).

Who may do what (``may_read``, ``may_write``, ``may_reopen``): the teachers of the learner's classes write; the
DDFPT and the chef d'établissement read everything; the inspector reads; a learner reads their own validated
bilans, a guardian their child's. The author of a validated bilan or the DDFPT reopens it.

Query counts do not depend on the number of competencies, observations or learners (tests and ``bench_bilans``).
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import access
from accounts.models import Profile, User
from establishments.models import Division
from periods.models import OfficialPeriod
from referentiels.models import Competency

from . import levels
from .evaluation_models import Bilan, BilanLine, Level, Observation
from .evaluation_settings import parameters_for

STAFF_READERS = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)
READERS = (*STAFF_READERS, Profile.LEARNER, Profile.GUARDIAN)
WRITERS = (Profile.TEACHER,)
REOPENERS = (Profile.TEACHER, Profile.DDFPT)
LEVEL_LABELS = dict(Level.choices)


# Who may do what -------------------------------------------------------------------------------------------------


def may_write(user, learner: User) -> bool:
    """A teacher of the learner's classes or groups (one query)."""
    return (user.profile in WRITERS and user.is_active
            and access.visible_learners(user).filter(pk=learner.pk).exists())


def may_read(user, bilan: Bilan) -> bool:
    """At most one query."""
    if not access._in_space(user) or bilan.establishment_id != user.establishment_id:
        return False
    if user.profile in (Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR):
        return True
    if user.profile in (Profile.LEARNER, Profile.GUARDIAN):
        if bilan.status != Bilan.Status.VALIDATED:
            return False
        if user.profile == Profile.LEARNER:
            return bilan.learner_id == user.pk
    if user.profile not in READERS:
        return False
    return access.visible_learners(user).filter(pk=bilan.learner_id).exists()


def may_reopen(user, bilan: Bilan) -> bool:
    """Its author (a teacher who may still write for the learner) or the DDFPT."""
    if bilan.status != Bilan.Status.VALIDATED or bilan.establishment_id != user.establishment_id:
        return False
    if user.profile == Profile.DDFPT and user.is_active:
        return True
    return user.profile == Profile.TEACHER and user.is_active and bilan.author_id == user.pk


# One sheet -------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    competency: Competency
    proposed: int | None  # 1–4 or None (nothing counts)
    observation_count: int
    retained: int
    saved: bool = False  # a line exists

    @property
    def proposed_label(self) -> str:
        return LEVEL_LABELS[self.proposed] if self.proposed else "NE – aucune observation"

    @property
    def retained_label(self) -> str:
        return LEVEL_LABELS[self.retained]

    @property
    def teacher_choice(self) -> bool:
        """The retained level differs from the proposal: the teacher's choice, kept as such."""
        return self.retained != (self.proposed or Level.NE)

    @property
    def field_name(self) -> str:
        return f"niveau_{self.competency.pk}"


@dataclass
class Sheet:
    learner: User
    period: OfficialPeriod
    version: object  # ReferentielVersion
    class_level: str
    bilan: Bilan | None
    rows: list[Row] = field(default_factory=list)

    @property
    def frozen(self) -> bool:
        return self.bilan is not None and self.bilan.status == Bilan.Status.VALIDATED

    @property
    def revision(self) -> int:
        return self.bilan.revision if self.bilan else 0


def learners_queryset(user):
    """The learners ``user`` may see, with what the sheet needs of them (class, cohort, version)."""
    return access.visible_learners(user).select_related("division__cohort__version__diploma")


def bilan_periods(establishment):
    return (OfficialPeriod.objects.filter(establishment=establishment, kind__in=OfficialPeriod.BILAN_KINDS)
            .select_related("school_year", "diploma"))


def cohort_of(learner: User):
    division = learner.division
    return getattr(division, "cohort", None) if division is not None else None


def period_for(learner: User, period: OfficialPeriod) -> None:
    """404 unless ``period`` is a period of the learner's diploma and class level."""
    cohort = cohort_of(learner)
    if cohort is None:
        raise Http404("La classe de cet apprenant n'est rattachée à aucun diplôme.")
    if period.diploma_id != cohort.version.diploma_id or period.class_level != cohort.class_level:
        raise Http404("Cette période ne concerne pas la classe de cet apprenant.")


def competencies_for(version, class_level: str = "") -> list[Competency]:
    """Every competency of the version, in the référentiel's order. Not filtered by class level: a Seconde of a
    famille de métiers is already evaluated on competencies the référentiel lists for Première and Terminale (the
    demo's scenarios do), and a bilan must show them."""
    return list(Competency.objects.filter(version=version).order_by("position", "pk"))


def proposals(establishment, learner: User, competency_ids, on) -> dict[int, levels.Proposal]:
    """``{competency_id: Proposal}`` from the learner's observations dated on or before ``on``. Two queries."""
    observations = (Observation.objects.filter(establishment=establishment, learner=learner,
                                               competency_id__in=list(competency_ids), date__lte=on)
                    .only("pk", "learner_id", "competency_id", "level", "type", "date"))
    parameters = parameters_for(establishment)
    return {competency_id: proposal for (_learner, competency_id), proposal in
            levels.propose_many(observations, on, parameters).items()}


def sheet(establishment, learner: User, period: OfficialPeriod, bilan: Bilan | None = None,
          *, load_bilan: bool = True) -> Sheet:
    """The sheet of ``learner`` for ``period``. ``learner`` comes from ``learners_queryset``. Constant queries."""
    period_for(learner, period)
    cohort = cohort_of(learner)
    if bilan is None and load_bilan:
        bilan = Bilan.objects.filter(establishment=establishment, period=period, learner=learner).first()
    result = Sheet(learner=learner, period=period, version=cohort.version, class_level=cohort.class_level,
                   bilan=bilan)
    lines = {}
    if bilan is not None:
        lines = {line.competency_id: line for line in
                 BilanLine.objects.filter(bilan=bilan).select_related("competency")}
    if result.frozen:
        # The snapshot: what was retained and proposed when it was validated, nothing recomputed.
        result.rows = [Row(competency=line.competency, proposed=line.proposed_level,
                           observation_count=line.observation_count, retained=line.retained_level, saved=True)
                       for line in sorted(lines.values(), key=lambda line: (line.competency.position, line.pk))]
        return result
    competencies = competencies_for(cohort.version, cohort.class_level)
    proposed = proposals(establishment, learner, [c.pk for c in competencies], period.end_date)
    for competency in competencies:
        proposal = proposed.get(competency.pk)
        level = proposal.level if proposal else None
        line = lines.get(competency.pk)
        if line is not None and line.retained_level != (line.proposed_level or Level.NE):
            retained = line.retained_level  # the teacher's choice, kept
        else:
            retained = level or Level.NE
        result.rows.append(Row(competency=competency, proposed=level, observation_count=proposal.count if proposal
                               else 0, retained=retained, saved=line is not None))
    return result


def bilan_with_learner(establishment, pk: int) -> Bilan:
    return get_object_or_404(
        Bilan.objects.filter(establishment=establishment)
        .select_related("learner__division__cohort__version__diploma", "period__school_year", "version__diploma"),
        pk=pk)


def frozen_sheet(bilan: Bilan) -> Sheet:
    """A bilan as stored (validated: its snapshot; draft: its saved lines). Two queries."""
    lines = list(BilanLine.objects.filter(bilan=bilan).select_related("competency")
                 .order_by("competency__position", "pk"))
    cohort = cohort_of(bilan.learner)
    return Sheet(learner=bilan.learner, period=bilan.period, version=bilan.version,
                 class_level=cohort.class_level if cohort else "", bilan=bilan,
                 rows=[Row(competency=line.competency, proposed=line.proposed_level,
                           observation_count=line.observation_count, retained=line.retained_level, saved=True)
                       for line in lines])


# A class and a period --------------------------------------------------------------------------------------------


@dataclass
class ClassRow:
    learner: User
    bilan: Bilan | None

    @property
    def status(self) -> str:
        if self.bilan is None:
            return "Aucun bilan"
        return self.bilan.get_status_display()


@dataclass
class ClassOverview:
    division: Division
    period: OfficialPeriod
    rows: list[ClassRow]

    @property
    def validated(self) -> int:
        return sum(1 for r in self.rows if r.bilan and r.bilan.status == Bilan.Status.VALIDATED)

    @property
    def drafts(self) -> int:
        return sum(1 for r in self.rows if r.bilan and r.bilan.status == Bilan.Status.DRAFT)

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows if r.bilan is None)


def class_periods(establishment, division: Division) -> list[OfficialPeriod]:
    """The bilan periods of the class's diploma and level (all school years, latest first)."""
    cohort = getattr(division, "cohort", None)
    if cohort is None:
        return []
    return list(bilan_periods(establishment).filter(diploma_id=cohort.version.diploma_id,
                                                    class_level=cohort.class_level)
                .order_by("-school_year__start_year", "start_date", "id"))


def class_overview(user, division: Division, period: OfficialPeriod) -> ClassOverview:
    """Who of the class (the learners ``user`` sees, active) has a bilan for ``period``, draft or validated.
    Two queries."""
    learners = list(access.visible_learners(user).filter(division=division, is_active=True)
                    .order_by("last_name", "first_name", "pk"))
    bilans = {b.learner_id: b for b in Bilan.objects.filter(establishment=division.establishment_id, period=period,
                                                            learner__in=[learner.pk for learner in learners])}
    return ClassOverview(division=division, period=period,
                         rows=[ClassRow(learner=learner, bilan=bilans.get(learner.pk)) for learner in learners])


def staff_classes(user) -> list[dict]:
    """The classes ``user`` may open, each with its bilan periods. Two queries."""
    divisions = list(access.visible_divisions(user).select_related("cohort__version__diploma").order_by("code"))
    periods = list(bilan_periods(user.establishment_id).order_by("-school_year__start_year", "start_date", "id"))
    result = []
    for division in divisions:
        cohort = getattr(division, "cohort", None)
        if cohort is None:
            continue
        result.append({"division": division, "cohort": cohort, "periods": [
            p for p in periods if p.diploma_id == cohort.version.diploma_id and p.class_level == cohort.class_level]})
    return result


def own_validated_bilans(user) -> list[Bilan]:
    """A learner's own validated bilans, a guardian's children's. One query."""
    return list(access.visible_rows(user, Bilan.objects.filter(establishment=user.establishment_id,
                                                               status=Bilan.Status.VALIDATED))
                .select_related("learner").order_by("learner__last_name", "learner__first_name", "period_start"))


def class_bilans(establishment, division: Division, period: OfficialPeriod, user) -> list[Sheet]:
    """Every bilan of the class for the period (for the class PDF), as stored. Constant queries."""
    learners = access.visible_learners(user).filter(division=division)
    bilans = list(Bilan.objects.filter(establishment=establishment, period=period, learner__in=learners)
                  .select_related("learner__division__cohort", "period", "version__diploma")
                  .order_by("learner__last_name", "learner__first_name", "pk"))
    lines: dict[int, list[BilanLine]] = {}
    for line in (BilanLine.objects.filter(bilan__in=bilans).select_related("competency")
                 .order_by("competency__position", "pk")):
        lines.setdefault(line.bilan_id, []).append(line)
    sheets = []
    for bilan in bilans:
        cohort = cohort_of(bilan.learner)
        sheets.append(Sheet(learner=bilan.learner, period=period, version=bilan.version,
                            class_level=cohort.class_level if cohort else "", bilan=bilan,
                            rows=[Row(competency=line.competency, proposed=line.proposed_level,
                                      observation_count=line.observation_count, retained=line.retained_level,
                                      saved=True) for line in lines.get(bilan.pk, [])]))
    return sheets
