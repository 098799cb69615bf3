"""Reads of the work periods, for the pages here and for the apps above (the portfolio, the bilan entreprise).

Each function reads in a constant number of queries whatever the number of learners or periods. Which learners a
user may see is always ``accounts.access``'s answer: a teacher sees the placements of the learners they teach.
"""

from django.db.models import Count, Prefetch, QuerySet

from accounts import access
from accounts.models import Profile, User
from establishments.models import Establishment
from referentiels.models import ClassLevel, Task

from .models import PedagogicalAnnex, Placement, WorkPeriod

LEVELS = dict(ClassLevel.choices)


def periods(establishment: Establishment) -> QuerySet:
    """Every work period of the establishment, with their version and diploma."""
    return WorkPeriod.objects.filter(establishment=establishment).select_related(
        "version__diploma", "school_year", "annex")


def latest_level(establishment: Establishment) -> tuple[str, str]:
    """(diploma code, class level) of the last period declared, else of the last annex written, ``("", "")`` when
    there is none: the DDFPT lands where the work is, not on the first diploma of the list. At most two queries."""
    for model in (WorkPeriod, PedagogicalAnnex):
        found = (model.objects.filter(establishment=establishment).order_by("-id")
                 .values_list("version__diploma__code", "class_level").first())
        if found:
            return found
    return "", ""


def level_periods(establishment: Establishment, version_ids, class_level: str) -> list[WorkPeriod]:
    """The periods of a level (every school year, newest first) with ``learner_count``. One query."""
    return list(periods(establishment).filter(version_id__in=list(version_ids), class_level=class_level)
                .annotate(learner_count=Count("placements", distinct=True))
                .order_by("-start_date", "-id"))


def period_for(user, pk: int, action: str = access.VIEW) -> WorkPeriod:
    """The period ``pk`` of the user's establishment if they may ``action`` it, else 404."""
    return access.get_or_404(user, action, periods(user.establishment), pk=pk)


def visible_placements(user, period: WorkPeriod) -> QuerySet:
    """The placements of ``period`` whose learner ``user`` may see, with learner and class, by class and name."""
    return (access.visible_rows(user, Placement.objects.filter(establishment=period.establishment, period=period))
            .select_related("learner__division", "referent")
            .order_by("learner__division__code", "learner__last_name", "learner__first_name", "id"))


def placement_for(user, period: WorkPeriod, learner_pk: int, action: str = access.VIEW) -> Placement:
    """The placement of learner ``learner_pk`` on ``period``, if ``user`` may ``action`` it, else 404."""
    return access.get_or_404(user, action, Placement.objects.filter(establishment=period.establishment,
                                                                    period=period)
                             .select_related("learner__division", "period"), learner_id=learner_pk)


def period_tasks(period: WorkPeriod) -> list[Task]:
    """The activities planned for the period (its own copy, not the annex's), in the référentiel's order."""
    return list(period.tasks.select_related("activity").order_by("activity__position", "position", "id"))


def learner_placements(learner: User) -> list[Placement]:
    """A learner's placements (their « périodes en entreprise »), newest first, with period and tasks."""
    return list(Placement.objects.filter(establishment_id=learner.establishment_id, learner=learner)
                .select_related("period__version__diploma")
                .prefetch_related(Prefetch("period__tasks", queryset=Task.objects.order_by("position")))
                .order_by("-start_date", "-id"))


def user_periods(user) -> list[WorkPeriod]:
    """The periods a user deals with: all for the establishment's staff, those with a learner they teach for a
    teacher, their own for a learner. One query."""
    queryset = periods(user.establishment)
    if user.profile in access.ESTABLISHMENT_WIDE:
        pass
    elif user.profile in (Profile.TEACHER, Profile.LEARNER, Profile.TUTOR):
        queryset = queryset.filter(placements__learner__in=access.visible_learners(user).values("pk")).distinct()
    else:
        return []
    return list(queryset.order_by("-start_date", "-id"))


def own_level(user) -> tuple[str, str]:
    """(diploma code, class level) of the classes a teacher teaches most, ``("", "")`` for anyone else: the
    periods page opens there instead of asking the teacher to choose. One query."""
    from collections import Counter

    from referentiels.establishment_models import Cohort

    if user.profile != Profile.TEACHER:
        return "", ""
    pairs = Counter(Cohort.objects.filter(division__in=user.divisions_taught.all())
                    .values_list("version__diploma__code", "class_level"))
    return pairs.most_common(1)[0][0] if pairs else ("", "")
