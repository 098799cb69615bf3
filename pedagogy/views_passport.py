"""Mon passeport professionnel: the page (screen and print) and its PDF.

Open to the learner — current, or gone less than 12 months ago (``accounts.former_learners``: these views are
marked ``open_to_former_learners``; the login refuses a learner gone longer, whose data the purge deletes) — and to
the teachers who teach them (read only, to help them prepare it), at ``apprenants/<pk>/``. Another learner's
passport is a 404, like anything that does not exist; guardians are refused (403): the passport is the learner's
own document.
"""

from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts import access
from accounts.former_learners import RETENTION_MONTHS, open_to_former_learners
from accounts.models import Profile
from accounts.permissions import profile_required

from . import passport as service
from .book import book_enabled


def _learner(request, pk: int | None):
    learners = access.visible_learners(request.user).filter(profile=Profile.LEARNER)
    return get_object_or_404(learners, pk=request.user.pk if pk is None else pk)


def _access_until(learner):
    if learner.is_active or learner.deactivated_at is None:
        return None
    from dateutil.relativedelta import relativedelta

    return timezone.localtime(learner.deactivated_at) + relativedelta(months=RETENTION_MONTHS)


def _page(request, pk=None):
    learner = _learner(request, pk)
    pk = None if learner.pk == request.user.pk else pk
    data = service.passport(learner, request.establishment)
    return render(request, "pedagogy/passport/page.html", {
        "passport": data, "learner": learner, "own": pk is None, "access_until": _access_until(learner),
        "missing_message": service.missing_message(request.establishment),
        "book_enabled": book_enabled(request.establishment)})


def _pdf(request, pk=None):
    learner = _learner(request, pk)
    pk = None if learner.pk == request.user.pk else pk
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    if message := service.missing_message(request.establishment):
        data = service.passport(learner, request.establishment, images=False)
        return render(request, "pedagogy/passport/page.html", {
            "passport": data, "learner": learner, "own": pk is None, "access_until": _access_until(learner),
            "missing_message": message, "refused": True}, status=409)
    return service.passport_pdf(service.passport(learner, request.establishment)).response()


@open_to_former_learners
@profile_required(Profile.LEARNER)
def passport_view(request):
    return _page(request)


@open_to_former_learners
@profile_required(Profile.LEARNER)
def passport_pdf_view(request):
    return _pdf(request)


@profile_required(Profile.LEARNER, Profile.TEACHER)
def learner_passport_view(request, pk: int):
    return _page(request, pk)


@profile_required(Profile.LEARNER, Profile.TEACHER)
def learner_passport_pdf_view(request, pk: int):
    return _pdf(request, pk)
