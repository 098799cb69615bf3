"""Pages of the work periods (menu « Périodes de formation en entreprise »): the annexes pédagogiques of each
level, the declaration of a PFMP / période employeur from an annex, a period's page, its deletion, the days in
companies (per period, and the ledger per diploma with its CSV), a learner's own periods.

Who may do what: ``periods.permissions``; which learners a user sees: ``accounts.access``.
"""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from accounts.enrolments import school_year_of
from accounts.models import Profile
from accounts.permissions import profile_required
from establishments.routing import tenant_url
from referentiels.models import ClassLevel, Diploma
from referentiels.selectors import NO_SUBSCRIPTION_MESSAGE, subscribed_versions

from . import annexes, ledger, selectors, work_periods
from .forms import AnnexForm, PeriodInfoForm, WeeksMinimumForm, ids
from .models import PedagogicalAnnex
from .official_periods import current_school_year
from .permissions import ANNEX_WRITERS, DAYS_WRITERS, LEARNER, PERIOD_READERS, PERIOD_WRITERS, SETTINGS_WRITERS

LEVELS = dict(ClassLevel.choices)
SCHOOL_KINDS = {Diploma.Kind.BAC_PRO, Diploma.Kind.FAMILLE}


# Choosing a diploma and a level ------------------------------------------------------------------------------


def versions_by_diploma(establishment) -> dict[str, list]:
    diplomas: dict[str, list] = {}
    for version in subscribed_versions(establishment):
        diplomas.setdefault(version.diploma.code, []).append(version)
    return diplomas


def levels_of(versions) -> list[tuple[str, str]]:
    kinds = {v.diploma.kind for v in versions}
    values = ([ClassLevel.SECONDE, ClassLevel.PREMIERE, ClassLevel.TERMINALE] if kinds & SCHOOL_KINDS else []) + (
        [ClassLevel.ANNEE_1, ClassLevel.ANNEE_2] if kinds - SCHOOL_KINDS or not kinds else [])
    return [(level.value, level.label) for level in values]


def _home_url(request, diploma: str = "", level: str = "") -> str:
    url = tenant_url(request.establishment, "pfmp")
    return f"{url}?diplome={diploma}&niveau={level}" if diploma else url


def _home_url_of(request, obj) -> str:
    return _home_url(request, obj.version.diploma.code, obj.class_level)


def _annexes(request):
    return PedagogicalAnnex.objects.filter(establishment=request.establishment).select_related("version__diploma")


@profile_required(*PERIOD_READERS)
def pfmp_home_view(request):
    """« Gestion des périodes de formation en entreprise »: a diploma and a level → its annexes and periods."""
    establishment = request.establishment
    diplomas = versions_by_diploma(establishment)
    if not diplomas:
        return render(request, "periods/home.html", {"no_subscription_message": NO_SUBSCRIPTION_MESSAGE})
    diploma, level = request.GET.get("diplome", ""), request.GET.get("niveau", "")
    if not diploma:  # a teacher opens on their own classes, the others where a period or an annex was last made
        diploma, level = selectors.own_level(request.user)
        if not diploma and len(diplomas) > 1:  # one diploma: nothing to look for
            diploma, level = selectors.latest_level(establishment)
    if diploma not in diplomas:
        diploma = next(iter(diplomas))
    versions = diplomas[diploma]
    levels = levels_of(versions)
    if level not in dict(levels):
        level = levels[0][0]
    version_ids = [v.pk for v in versions]
    return render(request, "periods/home.html", {
        "diplomas": diplomas, "diploma": diploma, "versions": versions, "levels": levels, "level": level,
        "level_label": LEVELS.get(level, ""), "annexes": annexes.annex_list(establishment, version_ids, level),
        "periods": selectors.level_periods(establishment, version_ids, level),
        "may_write_annex": request.user.profile in ANNEX_WRITERS,
        "may_declare": request.user.profile in PERIOD_WRITERS,
        "may_settings": request.user.profile in SETTINGS_WRITERS,
    })


# Annexes --------------------------------------------------------------------------------------------------------


def _annex_editor(request, *, version, class_level, form, selected, annex=None, mode="create", status=200):
    return render(request, "periods/annex_edit.html", {
        "form": form, "annex": annex, "version": version, "class_level": class_level, "mode": mode,
        "level_label": LEVELS.get(class_level, class_level), "groups": annexes.task_groups(version),
        "selected": set(selected), "home_url": _home_url(request, version.diploma.code, class_level),
    }, status=status)


def _annex_initial(annex: PedagogicalAnnex, **extra) -> dict:
    return {"title": annex.title, "for_apprentices": "oui" if annex.for_apprentices else "non",
            "objectives": annex.objectives, **extra}


@profile_required(*ANNEX_WRITERS)
def annex_create_view(request):
    """« Créer une annexe pédagogique pour le niveau »: ``version`` and ``niveau`` come with the request."""
    source = request.POST if request.method == "POST" else request.GET
    versions = {str(v.pk): v for vs in versions_by_diploma(request.establishment).values() for v in vs}
    version = versions.get(source.get("version", ""))
    class_level = source.get("niveau", "")
    if version is None and request.method != "POST" and versions:
        version = next(iter(versions.values()))
    if version is None or class_level not in dict(levels_of([version])):
        if version is not None and request.method != "POST":
            class_level = levels_of([version])[0][0]
        else:
            return render(request, "periods/home.html", {
                "no_subscription_message": NO_SUBSCRIPTION_MESSAGE if not versions else
                "Choisissez d'abord un diplôme et un niveau de classe dans la liste des annexes."},
                status=400 if request.method == "POST" else 200)
    if request.method != "POST":
        form = AnnexForm(initial={"token": uuid.uuid4().hex})
        return _annex_editor(request, version=version, class_level=class_level, form=form, selected=())
    form = AnnexForm(request.POST)
    task_ids = ids(request.POST, "tasks")
    if form.is_valid():
        try:
            annex, created = annexes.create_annex(
                establishment=request.establishment, actor=request.user, version=version, class_level=class_level,
                title=form.cleaned_data["title"], for_apprentices=form.apprentices,
                objectives=form.cleaned_data["objectives"], task_ids=task_ids, token=form.cleaned_data["token"])
        except annexes.AnnexError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            if created:
                messages.success(request, f"L'annexe pédagogique « {annex.title} » a été créée.")
            return redirect(_home_url_of(request, annex))
    return _annex_editor(request, version=version, class_level=class_level, form=form, selected=task_ids,
                         status=400)


@profile_required(*ANNEX_WRITERS)
def annex_edit_view(request, pk: int):
    annex = access.get_or_404(request.user, access.CHANGE, _annexes(request), pk=pk)
    if request.method != "POST":
        return _annex_editor(request, version=annex.version, class_level=annex.class_level, annex=annex,
                             form=AnnexForm(initial=_annex_initial(annex)), mode="edit",
                             selected=annex.tasks.values_list("pk", flat=True))
    form = AnnexForm(request.POST)
    task_ids = ids(request.POST, "tasks")
    if form.is_valid():
        try:
            annexes.save_annex(annex=annex, actor=request.user, title=form.cleaned_data["title"],
                               for_apprentices=form.apprentices, objectives=form.cleaned_data["objectives"],
                               task_ids=task_ids)
        except annexes.AnnexError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, f"L'annexe pédagogique « {annex.title} » a été enregistrée.")
            return redirect(_home_url_of(request, annex))
    annex.refresh_from_db()
    return _annex_editor(request, version=annex.version, class_level=annex.class_level, annex=annex, form=form,
                         mode="edit", selected=task_ids, status=400)


@profile_required(*ANNEX_WRITERS)
def annex_duplicate_view(request, pk: int):
    """The edit form filled with a copy of the annex, saved as a new annex of the same level."""
    annex = access.get_or_404(request.user, access.VIEW, _annexes(request), pk=pk)
    if request.method != "POST":
        form = AnnexForm(initial=_annex_initial(annex, title=f"Copie de {annex.title}"[:255],
                                                token=uuid.uuid4().hex))
        return _annex_editor(request, version=annex.version, class_level=annex.class_level, annex=annex,
                             form=form, mode="duplicate", selected=annex.tasks.values_list("pk", flat=True))
    form = AnnexForm(request.POST)
    task_ids = ids(request.POST, "tasks")
    if form.is_valid():
        try:
            copy, created = annexes.duplicate_annex(
                annex=annex, actor=request.user, title=form.cleaned_data["title"], for_apprentices=form.apprentices,
                objectives=form.cleaned_data["objectives"], task_ids=task_ids, token=form.cleaned_data["token"])
        except annexes.AnnexError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            if created:
                messages.success(request, f"L'annexe pédagogique « {copy.title} » a été créée (copie).")
            return redirect(_home_url_of(request, copy))
    return _annex_editor(request, version=annex.version, class_level=annex.class_level, annex=annex, form=form,
                         mode="duplicate", selected=task_ids, status=400)


@profile_required(*ANNEX_WRITERS)
def annex_delete_view(request, pk: int):
    annex = access.get_or_404(request.user, access.CHANGE, _annexes(request), pk=pk)
    if request.method != "POST":
        return render(request, "periods/annex_delete.html", {
            "annex": annex, "period_count": annex.periods.count(), "home_url": _home_url_of(request, annex)})
    home = _home_url_of(request, annex)
    title = annex.title
    kept = annexes.delete_annex(annex=annex, actor=request.user)
    messages.success(request, f"L'annexe pédagogique « {title} » a été supprimée."
                     + (f" Les {kept} période(s) déclarée(s) à partir d'elle sont conservées." if kept else ""))
    return redirect(home)


# Periods --------------------------------------------------------------------------------------------------------


def portfolio_url(request, period) -> str:
    """The list of the period's portfolios (fiches activités, bilans entreprise)."""
    return tenant_url(request.establishment, "portfolio_period", period_pk=period.pk)


def _year_choices(establishment):
    """Last year, this year and the next (a PFMP of September is declared in June)."""
    current = current_school_year(establishment)
    school_year_of(establishment, current.start_year + 1)
    years = [y for y in work_periods.school_years(establishment) if y.start_year >= current.start_year - 1]
    return years, current


def _declare_page(request, annex, form, groups, selected_learners, selected_tasks, status=200):
    return render(request, "periods/period_declare.html", {
        "annex": annex, "form": form, "groups": groups, "selected_learners": set(selected_learners),
        "task_groups": annexes.task_groups(annex.version), "selected_tasks": set(selected_tasks),
        "level_label": LEVELS.get(annex.class_level, annex.class_level),
        "learner_count": sum(len(g.learners) for g in groups), "home_url": _home_url_of(request, annex),
        "kind_label": "une période employeur" if annex.for_apprentices else "une PFMP",
    }, status=status)


@profile_required(*PERIOD_WRITERS)
def period_declare_view(request, pk: int):
    """« Déclarer une PFMP » / « Déclarer une période employeur » from an annex, for its whole level."""
    annex = access.get_or_404(request.user, access.VIEW, _annexes(request), pk=pk)
    establishment = request.establishment
    years, current = _year_choices(establishment)
    groups = work_periods.level_learners(establishment, annex.version, annex.class_level)
    if request.method != "POST":
        form = PeriodInfoForm(school_years=years, initial={
            "school_year": current.pk, "title": annex.title, "objectives": annex.objectives,
            "token": uuid.uuid4().hex, "then": "quitter"})
        return _declare_page(request, annex, form, groups, [u.pk for g in groups for u in g.learners],
                             annex.tasks.values_list("pk", flat=True))
    form = PeriodInfoForm(request.POST, school_years=years)
    learner_ids, task_ids = ids(request.POST, "learners"), ids(request.POST, "tasks")
    if form.is_valid():
        data = form.cleaned_data
        try:
            period, created = work_periods.declare_period(
                annex=annex, actor=request.user, school_year=data["school_year"], title=data["title"],
                start_date=data["start_date"], end_date=data["end_date"], objectives=data["objectives"],
                learner_ids=learner_ids, task_ids=task_ids, token=data["token"])
        except work_periods.PeriodError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error))
            else:
                form.add_error(None, str(error))
        else:
            if created:
                messages.success(request, f"La période « {period.title} » a été créée pour "
                                          f"{period.placements.count()} apprenant(s).")
            if data.get("then") == "portfolio":
                return redirect(portfolio_url(request, period))
            return redirect(_home_url_of(request, period))
    return _declare_page(request, annex, form, groups, learner_ids, task_ids, status=400)


@profile_required(*PERIOD_READERS)
def period_detail_view(request, pk: int):
    period = selectors.period_for(request.user, pk)
    placements = list(selectors.visible_placements(request.user, period))
    may_change = access.can(request.user, access.CHANGE, period)
    return render(request, "periods/period_detail.html", {
        "period": period, "placements": placements, "tasks": selectors.period_tasks(period),
        "may_change": may_change,
        "may_days": request.user.profile in DAYS_WRITERS, "home_url": _home_url_of(request, period),
        "portfolio_url": portfolio_url(request, period),
        "teachers": work_periods.referent_choices(period.establishment) if may_change else [],
    })


@profile_required(*PERIOD_WRITERS)
def period_edit_view(request, pk: int):
    period = selectors.period_for(request.user, pk, access.CHANGE)
    page = {"period": period, "task_groups": annexes.task_groups(period.version),
            "level_label": LEVELS.get(period.class_level, period.class_level),
            "groups": work_periods.learners_to_add(period)}
    if request.method != "POST":
        form = PeriodInfoForm(with_year=False, initial={
            "title": period.title, "start_date": period.start_date, "end_date": period.end_date,
            "objectives": period.objectives})
        return render(request, "periods/period_edit.html", {
            **page, "form": form, "selected_tasks": set(period.tasks.values_list("pk", flat=True))})
    form = PeriodInfoForm(request.POST, with_year=False)
    task_ids = ids(request.POST, "tasks")
    if form.is_valid():
        data = form.cleaned_data
        try:
            work_periods.update_period(period=period, actor=request.user, title=data["title"],
                                       start_date=data["start_date"], end_date=data["end_date"],
                                       objectives=data["objectives"], task_ids=task_ids,
                                       added_learner_ids=ids(request.POST, "learners"))
        except work_periods.PeriodError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, f"La période « {period.title} » a été enregistrée.")
            return redirect(tenant_url(request.establishment, "period_detail", pk=period.pk))
    period.refresh_from_db()
    return render(request, "periods/period_edit.html", {
        **page, "form": form, "selected_tasks": set(task_ids),
        "selected_learners": set(ids(request.POST, "learners"))}, status=400)


@profile_required(*PERIOD_WRITERS)
def period_delete_view(request, pk: int):
    period = selectors.period_for(request.user, pk, access.CHANGE)
    if request.method != "POST":
        return render(request, "periods/period_delete.html", {
            "period": period, "lost": work_periods.period_uses(period)})
    home = _home_url_of(request, period)
    title = period.title
    lost = work_periods.delete_period(period=period, actor=request.user)
    messages.success(request, f"La période « {title} » a été supprimée"
                     + (f" avec : {', '.join(lost)}." if lost else "."))
    return redirect(home)


@profile_required(*PERIOD_WRITERS)
@require_POST
def period_referent_view(request, pk: int):
    """Names the referent teacher of the learners ticked on the period page."""
    period = selectors.period_for(request.user, pk, access.CHANGE)
    raw = request.POST.get("referent", "")
    try:
        changed = work_periods.set_referent(
            period=period, actor=request.user, placement_ids=ids(request.POST, "placements"),
            teacher_id=int(raw) if raw.isdecimal() else None)
    except work_periods.PeriodError as refusal:
        messages.error(request, f"Le référent n'a pas été enregistré : {refusal}")
    else:
        messages.success(request, f"Référent enregistré pour {changed} apprenant(s)." if changed
                         else "Ces apprenants avaient déjà ce référent : rien n'a changé.")
    return redirect(tenant_url(request.establishment, "period_detail", pk=period.pk) + "#referents")


@profile_required(*PERIOD_WRITERS)
def period_remove_learner_view(request, pk: int, placement_pk: int):
    """Takes one learner off the period, after a confirmation saying what is lost with them. A second click finds
    the learner already gone and says so."""
    period = selectors.period_for(request.user, pk, access.CHANGE)
    detail = tenant_url(request.establishment, "period_detail", pk=period.pk)
    placement = period.placements.select_related("learner").filter(pk=placement_pk).first()
    if placement is None:
        if request.method == "POST":
            messages.info(request, "Cet apprenant n'est déjà plus sur la période.")
            return redirect(detail)
        raise Http404("Cet apprenant n'est pas sur cette période.")
    if request.method != "POST":
        return render(request, "periods/period_remove_learner.html", {
            "period": period, "placement": placement, "lost": work_periods.placement_losses(placement)})
    name = f"{placement.learner.last_name} {placement.learner.first_name}"
    lost = work_periods.remove_learner(placement=placement, actor=request.user)
    messages.success(request, f"{name} a été retiré(e) de la période « {period.title} »"
                     + (f" avec : {', '.join(lost)}." if lost else "."))
    return redirect(detail)


# Days ----------------------------------------------------------------------------------------------------------


def _number(value: str):
    value = (value or "").strip()
    return int(value) if value.isdecimal() else None


@profile_required(*DAYS_WRITERS, Profile.INSPECTOR)
def period_days_view(request, pk: int):
    """The days planned, absences, catch-up days and days done of each learner of the period."""
    period = selectors.period_for(request.user, pk)
    placements = selectors.visible_placements(request.user, period)
    rows = list(placements)
    errors: dict[int, str] = {}
    posted: dict[int, tuple] = {}
    if request.method == "POST":
        for placement in rows:
            key = str(placement.pk)
            if f"planned-{key}" not in request.POST:
                continue
            posted[placement.pk] = (_number(request.POST.get(f"planned-{key}")),
                                    _number(request.POST.get(f"absent-{key}")),
                                    _number(request.POST.get(f"caught-{key}")))
        try:
            changed = ledger.record_days(period=period, actor=request.user, rows=posted, placements=placements)
        except ledger.DaysError as error:
            errors = error.errors
            messages.error(request, "Rien n'a été enregistré : corrigez les jours signalés.")
        else:
            messages.success(request, f"Jours enregistrés ({changed} apprenant(s) modifié(s)).")
            return redirect(tenant_url(request.establishment, "period_days", pk=period.pk))
    lines = [{"placement": p, "error": errors.get(p.pk), "values": posted.get(p.pk) if errors else None}
             for p in rows]
    return render(request, "periods/period_days.html", {
        "period": period, "lines": lines, "may_write": request.user.profile in DAYS_WRITERS,
        "home_url": _home_url_of(request, period),
        "length": period.length_days, "default_planned": work_periods.working_days(period.start_date,
                                                                                   period.end_date),
    }, status=400 if errors else 200)


def _ledger_for(request):
    diplomas = versions_by_diploma(request.establishment)
    code = request.GET.get("diplome", "")
    if code not in diplomas:
        code = next(iter(diplomas), "")
    if not code:
        return diplomas, None
    diploma = diplomas[code][0].diploma
    return diplomas, ledger.ledger(request.establishment, diploma, access.visible_learners(request.user))


@profile_required(*PERIOD_READERS)
def ledger_view(request):
    """Weeks done per learner over the cycle against the diploma's minimum; learners below it flagged."""
    diplomas, book = _ledger_for(request)
    only_below = request.GET.get("sous_minimum") == "1"
    return render(request, "periods/ledger.html", {
        "diplomas": diplomas, "book": book, "only_below": only_below,
        "rows": (book.below if only_below else book.rows) if book else [],
        "may_settings": request.user.profile in SETTINGS_WRITERS,
    })


@profile_required(*PERIOD_READERS)
def ledger_csv_view(request):
    _diplomas, book = _ledger_for(request)
    content = ledger.ledger_csv(book) if book else ledger.empty_csv()  # no diploma: the header only
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    code = book.diploma.code if book else "aucun-diplome"
    response["Content-Disposition"] = (f'attachment; filename="jours-entreprise-{code}-'
                                       f'{request.establishment.uai}-{stamp}.csv"')
    return response


@profile_required(*SETTINGS_WRITERS)
def weeks_minimum_view(request, code: str):
    """The weeks in companies a learner of diploma ``code`` must do over the cycle, in this establishment."""
    diplomas = versions_by_diploma(request.establishment)
    if code not in diplomas:
        raise Http404("Diplôme inconnu.")
    diploma = get_object_or_404(Diploma, code=code)
    low, high = ledger.weeks_minimum(request.establishment, diploma)
    form = WeeksMinimumForm(request.POST or None, initial={"min_weeks": low, "max_weeks": high})
    if request.method == "POST" and form.is_valid():
        ledger.set_weeks_minimum(establishment=request.establishment, actor=request.user, diploma=diploma,
                                 min_weeks=form.cleaned_data["min_weeks"], max_weeks=form.cleaned_data["max_weeks"])
        messages.success(request, f"Durée en entreprise du diplôme {code} enregistrée.")
        return redirect(tenant_url(request.establishment, "pfmp_ledger") + f"?diplome={code}")
    return render(request, "periods/weeks_minimum.html", {"diploma": diploma, "form": form},
                  status=400 if request.method == "POST" else 200)


# Learners ------------------------------------------------------------------------------------------------------


@profile_required(*LEARNER)
def my_periods_view(request):
    """« Mes périodes en entreprise »: a learner's own placements."""
    return render(request, "periods/my_periods.html", {
        "placements": selectors.learner_placements(request.user)})
