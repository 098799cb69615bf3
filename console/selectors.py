"""What the pilot console shows, gathered in a bounded number of queries (see ``bench_console``)."""

from collections import Counter

from accounts.models import Profile, User
from establishments.models import Division, Establishment
from periods.official_periods import current_school_year

from . import coverage, indicators, progress


def classes_with_learners(establishment: Establishment) -> tuple[list[Division], dict[int, int]]:
    """The classes tied to a diploma (cohort and version selected) and their active learners (learner id → class
    id). Two queries."""
    divisions = list(Division.objects.filter(establishment=establishment, cohort__isnull=False)
                     .select_related("cohort__version__diploma").order_by("code"))
    members = dict(User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True,
                                       division__in=[d.pk for d in divisions]).values_list("pk", "division_id"))
    return divisions, members


def console(establishment: Establishment) -> dict:
    year = current_school_year(establishment)
    steps = progress.setup_steps(establishment, year)
    divisions, members = classes_with_learners(establishment)
    return {
        "steps": steps,
        "steps_done": sum(step.done for step in steps),
        "school_year": year,
        "bilans": indicators.class_bilans(establishment, year, divisions=divisions,
                                          learners=Counter(members.values())),
        "coverage": coverage.coverage(establishment, divisions, members),
        "statuses": list(coverage.Status),
    }
