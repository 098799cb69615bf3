"""Former learners: a deactivated learner keeps access to the passport export for 12 months, nothing else.

The same 12 months decide when the RGPD purge deletes a deactivated user (``transfers.purge``), so both rules
read ``retention_cutoff``. Months are calendar months in Paris time: deactivated on 15 January at 10:00, the
access ends (and the purge may delete) from 15 January of the next year at 10:00; a day that does not exist in
the target month becomes its last day (31 August − 6 months = 28 or 29 February).

Pages open to former learners carry ``open_to_former_learners``; ``FormerLearnerGateMiddleware`` sends a
former learner anywhere else back to the passport page (``tenant:passport``, the pedagogy app's
``views_passport``: the passport itself is built from the evaluation and the book, above this layer).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.shortcuts import redirect
from django.utils import timezone

from establishments.routing import tenant_url

from .models import Profile, User

RETENTION_MONTHS = 12

# Pages a former learner may reach besides the marked ones (they may have to change their initial password).
_ALWAYS_ALLOWED = {"login", "logout", "password_change"}


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Users deactivated before this instant are past the 12 months: no more access, purged.

    The same wall-clock time 12 calendar months earlier, in the current time zone (dateutil's ``relativedelta``
    on the local time: a day missing from the target month becomes its last day).
    """
    return timezone.localtime(now or timezone.now()) - relativedelta(months=RETENTION_MONTHS)


def has_former_learner_access(user: User, now: datetime.datetime | None = None) -> bool:
    """A learner deactivated less than 12 months ago (the passport export stays open to them)."""
    return (
        not user.is_active
        and user.profile == Profile.LEARNER
        and user.deactivated_at is not None
        and user.deactivated_at >= retention_cutoff(now)
    )


def open_to_former_learners(view):
    """Marks a page of the establishment's space as reachable by former learners."""
    view.cpro_former_learners = True
    return view


class FormerLearnerGateMiddleware:
    """A former learner reaches only the pages marked ``open_to_former_learners``; elsewhere, the passport."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        establishment = getattr(request, "establishment", None)
        user = request.user
        if establishment is None or not user.is_authenticated or user.is_active:
            return None
        if getattr(view_func, "cpro_public", False) or getattr(view_func, "cpro_former_learners", False):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _ALWAYS_ALLOWED:
            return None
        return redirect(tenant_url(establishment, "passport"))

