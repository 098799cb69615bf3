"""Pages of the portfolio des activités en entreprise (menu « Portfolios des activités en entreprise»).

Who may do what on a placement is decided in ``periods.portfolio``; a placement the user may not see is a 404.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from documents.uploads import ResourceRefused
from establishments.routing import tenant_url

from . import portfolio
from .forms import ids
from .models import ActivityFiche, FicheAttachment, Placement, WorkPeriod
from .portfolio_forms import CompanyForm, FicheForm, ReviewForm

READERS = portfolio.READERS


def _placement(request, pk) -> Placement:
    placement = (portfolio.visible_placements(request.user)
                 .select_related("period__version__diploma", "learner__division", "referent")
                 .filter(pk=pk).first())
    if placement is None:
        raise Http404
    return placement


def _detail_url(request, placement) -> str:
    return tenant_url(request.establishment, "portfolio_detail", pk=placement.pk)


@profile_required(*READERS)
def portfolio_home_view(request):
    periods = (portfolio.visible_periods(request.user).select_related("version__diploma")
               .order_by("-start_date", "id"))
    return render(request, "periods/portfolio/home.html", {"periods": periods})


@profile_required(*READERS)
def portfolio_period_view(request, period_pk):
    period = get_object_or_404(WorkPeriod.objects.select_related("version__diploma"), pk=period_pk)
    rows = portfolio.period_rows(request.user, period)
    if not rows and request.user.profile not in access.ESTABLISHMENT_WIDE:
        raise Http404  # no learner of this period that the user sees
    return render(request, "periods/portfolio/period.html", {
        "period": period, "rows": rows, "period_url": _period_url(request, period.pk)})


@profile_required(*READERS)
def portfolio_detail_view(request, pk):
    placement = _placement(request, pk)
    fiches = list(portfolio.fiches_of(placement))
    may_review = portfolio.can_review(request.user, placement)
    context = {
        "placement": placement, "period": placement.period, "fiches": fiches,
        "table": portfolio.task_table(placement, fiches),
        "may_write": portfolio.can_write_fiches(request.user, placement),
        "may_edit_company": portfolio.can_edit_company(request.user, placement),
        "may_review": may_review,
        "links": portfolio.placement_links(request.user, placement),
        "statuses": portfolio.placement_statuses([placement.pk])[placement.pk],
        "period_url": _period_url(request, placement.period_id),
    }
    return render(request, "periods/portfolio/detail.html", context)


def _period_url(request, period_pk: int) -> str:
    """The learner's « Mes périodes en entreprise », else the period's page with its days (staff read it)."""
    if request.user.profile == Profile.LEARNER:
        return tenant_url(request.establishment, "my_periods")
    return tenant_url(request.establishment, "period_detail", pk=period_pk)


@profile_required(*READERS)
def portfolio_company_view(request, pk):
    placement = _placement(request, pk)
    if not portfolio.can_edit_company(request.user, placement):
        raise PermissionDenied("Seuls l'apprenant et son enseignant référent renseignent l'entreprise.")
    initial = {name: getattr(placement, name) for name in portfolio.COMPANY_FIELDS}
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        portfolio.save_company(placement, form.cleaned_data, request.user)
        messages.success(request, "L'entreprise et le tuteur sont enregistrés.")
        return redirect(_detail_url(request, placement))
    return render(request, "periods/portfolio/company.html", {"placement": placement, "form": form})


def _task_groups(placement, checked: set[int]):
    groups: list[tuple] = []
    for task in portfolio.period_tasks(placement):
        if not groups or groups[-1][0] != task.activity:
            groups.append((task.activity, []))
        groups[-1][1].append((task, task.pk in checked))
    return groups


def _fiche_error(form, error: ValidationError) -> None:
    form.add_error("upload" if isinstance(error, ResourceRefused) else None, error)


@profile_required(Profile.LEARNER)
def fiche_create_view(request, pk):
    placement = _placement(request, pk)
    if not portfolio.can_write_fiches(request.user, placement):
        raise PermissionDenied("Seul l'apprenant écrit ses fiches activités.")
    form = FicheForm(request.POST or None, request.FILES or None, placement=placement,
                     initial={"token": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            portfolio.create_fiche(placement, title=form.cleaned_data["title"],
                                   description=form.cleaned_data["description"], date=form.cleaned_data["date"],
                                   task_ids=form.task_ids, upload=form.cleaned_data["upload"],
                                   token=form.cleaned_data["token"] or "", actor=request.user)
        except ValidationError as error:
            _fiche_error(form, error)
        else:
            messages.success(request, "La fiche activité est enregistrée.")
            return redirect(_detail_url(request, placement))
    checked = set(ids(request.POST, "tasks")) if request.method == "POST" else set()
    return render(request, "periods/portfolio/fiche_form.html", {
        "placement": placement, "form": form, "groups": _task_groups(placement, checked), "fiche": None})


def _fiche(placement, fiche_pk) -> ActivityFiche:
    return get_object_or_404(ActivityFiche, pk=fiche_pk, placement=placement)


@profile_required(Profile.LEARNER)
def fiche_edit_view(request, pk, fiche_pk):
    placement = _placement(request, pk)
    fiche = _fiche(placement, fiche_pk)
    if not portfolio.can_write_fiches(request.user, placement):
        raise PermissionDenied("Seul l'apprenant modifie ses fiches activités.")
    initial = {"title": fiche.title, "date": fiche.date, "description": fiche.description}
    form = FicheForm(request.POST or None, request.FILES or None, placement=placement, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            portfolio.update_fiche(fiche, title=form.cleaned_data["title"],
                                   description=form.cleaned_data["description"], date=form.cleaned_data["date"],
                                   task_ids=form.task_ids, upload=form.cleaned_data["upload"], actor=request.user)
        except ValidationError as error:
            _fiche_error(form, error)
        else:
            messages.success(request, "La fiche activité est enregistrée.")
            return redirect(_detail_url(request, placement))
    if request.method == "POST":
        checked = set(ids(request.POST, "tasks"))
    else:
        checked = set(fiche.tasks.values_list("pk", flat=True))
    return render(request, "periods/portfolio/fiche_form.html", {
        "placement": placement, "form": form, "groups": _task_groups(placement, checked), "fiche": fiche,
        "attachments": list(fiche.attachments.all())})


@profile_required(Profile.LEARNER)
def fiche_delete_view(request, pk, fiche_pk):
    placement = _placement(request, pk)
    fiche = _fiche(placement, fiche_pk)
    if not portfolio.can_write_fiches(request.user, placement):
        raise PermissionDenied("Seul l'apprenant supprime ses fiches activités.")
    if request.method == "POST":
        portfolio.delete_fiche(fiche, request.user)
        messages.success(request, f"La fiche « {fiche.title} » est supprimée.")
        return redirect(_detail_url(request, placement))
    return render(request, "periods/portfolio/fiche_delete.html", {"placement": placement, "fiche": fiche})


@profile_required(Profile.TEACHER)
def fiche_review_view(request, pk, fiche_pk):
    placement = _placement(request, pk)
    fiche = _fiche(placement, fiche_pk)
    if not portfolio.can_review(request.user, placement):
        raise PermissionDenied("Seul l'enseignant référent relit les fiches activités.")
    form = ReviewForm(request.POST or None, initial={"comment": fiche.teacher_comment})
    if request.method == "POST" and form.is_valid():
        try:
            portfolio.review_fiche(fiche, task_ids=request.POST.getlist("tasks"),
                                   comment=form.cleaned_data["comment"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"La fiche « {fiche.title} » est relue.")
            return redirect(_detail_url(request, placement))
    checked = set(fiche.tasks.values_list("pk", flat=True))
    return render(request, "periods/portfolio/fiche_review.html", {
        "placement": placement, "fiche": fiche, "form": form, "groups": _task_groups(placement, checked)})


@profile_required(Profile.TEACHER)
@require_POST
def portfolio_selection_view(request, pk):
    placement = _placement(request, pk)
    if not portfolio.can_review(request.user, placement):
        raise PermissionDenied("Seul l'enseignant référent choisit les compétences du bilan entreprise.")
    try:
        count = portfolio.select_competencies(placement, competency_ids=request.POST.getlist("competencies"),
                                              criterion_ids=request.POST.getlist("criteria"), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{count} compétence(s) ou critère(s) retenu(s) pour le bilan entreprise.")
    return redirect(_detail_url(request, placement) + "#selection")


def _attachment(placement, attachment_pk) -> FicheAttachment:
    return get_object_or_404(FicheAttachment.objects.select_related("fiche"), pk=attachment_pk,
                             fiche__placement=placement)


@profile_required(*READERS)
def attachment_download_view(request, pk, attachment_pk):
    placement = _placement(request, pk)
    response = portfolio.download_response(_attachment(placement, attachment_pk))
    if response is None:
        raise Http404("Le fichier n'existe plus.")
    return response


@profile_required(Profile.LEARNER)
@require_POST
def attachment_delete_view(request, pk, attachment_pk):
    placement = _placement(request, pk)
    attachment = _attachment(placement, attachment_pk)
    if not portfolio.can_write_fiches(request.user, placement):
        raise PermissionDenied("Seul l'apprenant supprime les fichiers de ses fiches.")
    portfolio.delete_attachment(attachment)
    messages.success(request, f"Le fichier « {attachment.title} » est supprimé.")
    return redirect(tenant_url(request.establishment, "fiche_edit", pk=placement.pk, fiche_pk=attachment.fiche_id))
