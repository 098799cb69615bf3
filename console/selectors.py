"""What the pilot console shows, gathered in a bounded number of queries (see ``bench_console``)."""

from django.db.models import Count

from accounts.models import Profile, User
from establishments.models import Division, Establishment
from periods.official_periods import current_school_year

from . import coverage, indicators, progress


def classes_with_learners(establishment: Establishment) -> tuple[list[Division], dict[int, int]]:
    """The classes tied to a diploma (cohort and version selected) and their active learners. Two queries."""
    divisions = list(Division.objects.filter(establishment=establishment, cohort__isnull=False)
                     .select_related("cohort__version__diploma").order_by("code"))
    learners = dict(User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True,
                                        division__in=[d.pk for d in divisions])
                    .values_list("division_id").annotate(n=Count("pk")).order_by())
    return divisions, learners


def console(establishment: Establishment) -> dict:
    steps = progress.setup_steps(establishment)
    year = current_school_year(establishment)
    divisions, learners = classes_with_learners(establishment)
    return {
        "steps": steps,
        "steps_done": sum(step.done for step in steps),
        "school_year": year,
        "bilans": indicators.class_bilans(establishment, year, divisions=divisions, learners=learners),
        "coverage": coverage.coverage(establishment, divisions, learners),
        "statuses": list(coverage.Status),
    }
