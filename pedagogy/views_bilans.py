"""Pages of the bilans intermédiaires (menu « Éditer les bilans »).

Teachers of the learner's classes write; the DDFPT, the chef d'établissement and the inspector read; a learner
reads their own validated bilans, a guardian their child's. The rules are in ``pedagogy.bilan_selectors``; writing
in ``pedagogy.bilans``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from documents.views import send
from establishments.routing import tenant_url

from . import bilan_documents, bilans
from . import bilan_selectors as selectors
from .bilan_forms import LEVEL_OPTIONS, BilanForm
from .evaluation_models import Bilan

READERS, STAFF, WRITERS, REOPENERS = (selectors.READERS, selectors.STAFF_READERS, selectors.WRITERS,
                                      selectors.REOPENERS)


def _edit_url(request, learner_pk, period_pk) -> str:
    return tenant_url(request.establishment, "bilan_edit", learner_pk=learner_pk, period_pk=period_pk)


def _class_url(request, division_pk, period_pk) -> str:
    return tenant_url(request.establishment, "bilans_class", division_pk=division_pk, period_pk=period_pk)


@profile_required(*READERS)
@require_safe
def bilans_home_view(request):
    """Staff: each class with its periods. A learner, a guardian: their validated bilans."""
    user = request.user
    if user.profile in (Profile.LEARNER, Profile.GUARDIAN):
        return render(request, "pedagogy/bilans/own.html", {"bilans": selectors.own_validated_bilans(user)})
    return render(request, "pedagogy/bilans/home.html", {"classes": selectors.staff_classes(user)})


def _division_and_period(request, division_pk, period_pk):
    division = get_object_or_404(access.visible_divisions(request.user).select_related("cohort__version__diploma"),
                                 pk=division_pk)
    period = get_object_or_404(selectors.bilan_periods(request.establishment), pk=period_pk)
    return division, period


@profile_required(*STAFF)
@require_safe
def bilans_class_view(request, division_pk: int, period_pk: int):
    """Who of the class has a bilan for the period (draft, validated) and who has none."""
    division, period = _division_and_period(request, division_pk, period_pk)
    overview = selectors.class_overview(request.user, division, period)
    return render(request, "pedagogy/bilans/class.html", {
        "overview": overview, "division": division, "period": period,
        "other_periods": [p for p in selectors.class_periods(request.establishment, division) if p.pk != period.pk],
        "may_write": request.user.profile in WRITERS})


@profile_required(*STAFF)
@require_safe
def bilans_class_pdf_view(request, division_pk: int, period_pk: int):
    division, period = _division_and_period(request, division_pk, period_pk)
    return send(request, bilan_documents.class_pdf(establishment=request.establishment, owner=request.user,
                                                   division=division, period=period))


def _render_sheet(request, sheet, form, *, may_write, status=200, notice=""):
    return render(request, "pedagogy/bilans/edit.html", {
        "sheet": sheet, "bilan": sheet.bilan, "form": form, "rows": form.rows_with_fields() if form else None,
        "level_options": LEVEL_OPTIONS,
        "may_write": may_write and not sheet.frozen, "notice": notice,
        "may_reopen": sheet.bilan is not None and selectors.may_reopen(request.user, sheet.bilan),
        "class_url": _class_url(request, sheet.learner.division_id, sheet.period.pk)
        if sheet.learner.division_id else "",
    }, status=status)


@profile_required(*STAFF)
def bilan_edit_view(request, learner_pk: int, period_pk: int):
    """The bilan of a learner for a period: the form for a teacher of the learner, read-only otherwise."""
    learner = get_object_or_404(selectors.learners_queryset(request.user), pk=learner_pk)
    period = get_object_or_404(selectors.bilan_periods(request.establishment), pk=period_pk)
    sheet = selectors.sheet(request.establishment, learner, period)
    may_write = selectors.may_write(request.user, learner)
    if request.method != "POST":
        return _render_sheet(request, sheet, BilanForm(sheet=sheet), may_write=may_write)
    if not may_write:
        raise PermissionDenied("Seuls les enseignants de l'apprenant rédigent son bilan.")
    form = BilanForm(request.POST, sheet=sheet)
    if not form.is_valid():
        return _render_sheet(request, sheet, form, may_write=True, status=400)
    try:
        bilan, changed = bilans.save(sheet, actor=request.user, levels=form.levels(),
                                     appreciation=form.cleaned_data["appreciation"].strip(),
                                     revision=form.cleaned_data["revision"], validate=form.validating)
    except bilans.StaleBilan as error:
        fresh = selectors.sheet(request.establishment, learner, period)
        return _render_sheet(request, fresh, BilanForm(sheet=fresh), may_write=True, status=409, notice=str(error))
    except bilans.FrozenBilan as error:
        messages.error(request, str(error))
        return redirect(_edit_url(request, learner.pk, period.pk))
    except ValidationError as error:
        form.add_error(None, error)
        return _render_sheet(request, sheet, form, may_write=True, status=400)
    if not changed:
        messages.info(request, bilans.ALREADY_VALIDATED)
    elif bilan.status == Bilan.Status.VALIDATED:
        messages.success(request, f"Bilan de {learner.full_name} validé pour « {period.label} ».")
    else:
        messages.success(request, "Brouillon enregistré.")
    return redirect(_edit_url(request, learner.pk, period.pk))


def _readable(request, pk) -> Bilan:
    bilan = selectors.bilan_with_learner(request.establishment, pk)
    if not selectors.may_read(request.user, bilan):
        raise Http404("Vous n'avez pas accès à ce bilan.")
    return bilan


@profile_required(*READERS)
@require_safe
def bilan_detail_view(request, pk: int):
    """A bilan as stored (read-only): what a learner and a guardian see."""
    bilan = _readable(request, pk)
    sheet = selectors.frozen_sheet(bilan)
    edit_url = ""
    if request.user.profile in STAFF and bilan.period_id and selectors.cohort_of(bilan.learner):
        edit_url = _edit_url(request, bilan.learner_id, bilan.period_id)
    return render(request, "pedagogy/bilans/detail.html", {
        "sheet": sheet, "bilan": bilan, "edit_url": edit_url,
        "may_reopen": selectors.may_reopen(request.user, bilan)})


@profile_required(*READERS)
@require_safe
def bilan_pdf_view(request, pk: int):
    bilan = _readable(request, pk)
    return bilan_documents.bilan_pdf(request.establishment, request.user, {"bilan_id": bilan.pk}).response()


@profile_required(*REOPENERS)
@require_POST
def bilan_reopen_view(request, pk: int):
    bilan = _readable(request, pk)
    if bilan.status == Bilan.Status.VALIDATED and not selectors.may_reopen(request.user, bilan):
        raise PermissionDenied("Seul l'auteur du bilan ou le DDFPT peut le rouvrir.")
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    try:
        changed = bilans.reopen(bilan, actor=request.user, revision=revision)
    except bilans.StaleBilan as error:
        messages.error(request, str(error))
    else:
        if changed:
            messages.success(request, "Bilan rouvert : il est de nouveau en brouillon. La réouverture est inscrite "
                                      "au journal.")
        else:
            messages.info(request, "Ce bilan était déjà en brouillon.")
    if bilan.period_id and request.user.profile in STAFF:
        return redirect(_edit_url(request, bilan.learner_id, bilan.period_id))
    return redirect(tenant_url(request.establishment, "bilan_detail", pk=bilan.pk))
