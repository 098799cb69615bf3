"""Pages of the pilot console (« Console de pilotage »): the DDFPT's and the chef d'établissement's first page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from establishments.models import Division, school_year_start
from establishments.routing import tenant_url
from periods import official_periods
from periods.models import OfficialPeriod
from periods.official_forms import OfficialPeriodForm

from . import coverage, indicators, progress, selectors, services

CONSOLE_PROFILES = (Profile.DDFPT, Profile.HEAD)


def _url(request, name: str, **kwargs) -> str:
    return tenant_url(request.establishment, name, **kwargs)


@profile_required(*CONSOLE_PROFILES)
def console_view(request):
    return render(request, "console/console.html", selectors.console(request.establishment))


def _school_year(request):
    """The current school year, or the next one (prepared before the start of the year) with ``?annee=``."""
    current = school_year_start(timezone.localdate())
    chosen = request.GET.get("annee") or request.POST.get("annee") or ""
    start = current + 1 if chosen == str(current + 1) else current
    return official_periods.school_year_of(request.establishment, start), current


def _periods_url(request, year, period=None) -> str:
    url = _url(request, "console_periods") + f"?annee={year.start_year}"
    if period is not None:
        key = f"{period.diploma_id}-{period.class_level}"
        url += f"&diplome={period.diploma_id}&niveau={period.class_level}#niveau-{key}"
    return url


@profile_required(*CONSOLE_PROFILES)
def periods_view(request):
    establishment = request.establishment
    year, current = _school_year(request)
    diplomas = official_periods.subscribed_diplomas(establishment)
    initial = {"diploma": request.GET.get("diplome", ""), "class_level": request.GET.get("niveau", ""),
               "kind": request.GET.get("type", OfficialPeriod.Kind.TERM)}
    form = OfficialPeriodForm(request.POST or None, diplomas=diplomas, initial=initial)
    if request.method == "POST":
        period = form.save(establishment, request.user, year)
        if period is not None:
            messages.success(request, f"Période « {period.label} » enregistrée.")
            return redirect(_periods_url(request, year, period))
    return render(request, "console/periods.html", {
        "form": form, "school_year": year, "years": [current, current + 1], "diplomas": diplomas,
        "calendar": official_periods.calendar(establishment, year),
        **_steps(establishment)})


def _steps(establishment) -> dict:
    steps = progress.setup_steps(establishment)
    return {"steps": steps, "steps_done": sum(step.done for step in steps)}


def _period(request, pk):
    return get_object_or_404(OfficialPeriod.objects.filter(establishment=request.establishment)
                             .select_related("diploma", "school_year"), pk=pk)


@profile_required(*CONSOLE_PROFILES)
def period_edit_view(request, pk):
    establishment = request.establishment
    period = _period(request, pk)
    form = OfficialPeriodForm(request.POST or None, diplomas=official_periods.subscribed_diplomas(establishment),
                              period=period)
    if request.method == "POST" and form.save(establishment, request.user, period.school_year) is not None:
        messages.success(request, f"Période « {period.label} » modifiée.")
        return redirect(_periods_url(request, period.school_year, period))
    return render(request, "console/period_edit.html", {"form": form, "period": period})


@profile_required(*CONSOLE_PROFILES)
@require_POST
def period_delete_view(request, pk):
    period = _period(request, pk)
    year = period.school_year
    if official_periods.delete_period(request.establishment, request.user, period):
        messages.success(request, f"Période « {period.label} » supprimée.")
    else:
        messages.error(request, f"La période « {period.label} » a déjà des bilans : elle ne peut pas être "
                                "supprimée. Modifiez ses dates si besoin.")
    return redirect(_periods_url(request, year))


def _division(request, division_pk) -> Division:
    division = access.visible_divisions(request.user).filter(pk=division_pk, cohort__isnull=False).select_related(
        "cohort__version__diploma").first()
    if division is None:
        raise Http404("Classe introuvable.")
    return division


@profile_required(*CONSOLE_PROFILES)
def bilans_missing_view(request, division_pk, period_pk):
    division = _division(request, division_pk)
    period = _period(request, period_pk)
    learners = list(indicators.learners_without_bilan(access.visible_learners(request.user), division, period))
    return render(request, "console/bilans_missing.html", {"division": division, "period": period,
                                                           "learners": learners})


@profile_required(*CONSOLE_PROFILES)
def coverage_view(request, division_pk):
    division = _division(request, division_pk)
    members = dict.fromkeys(access.visible_learners(request.user).filter(division=division, is_active=True)
                            .values_list("pk", flat=True), division.pk)
    row = coverage.coverage(request.establishment, [division], members)[0]
    return render(request, "console/coverage.html", {"row": row, "division": division,
                                                     "statuses": list(coverage.Status)})


@profile_required(*CONSOLE_PROFILES)
@require_POST
def book_view(request):
    enabled = request.POST.get("book") == "1"
    services.set_book_enabled(request.establishment, request.user, enabled)
    messages.success(request, "Le book des apprenants est activé : enseignants et apprenants y ont accès."
                     if enabled else "Le book des apprenants est désactivé.")
    return redirect(_url(request, "console") + "#book")
