"""Pages of « Suivre les acquis »: a class's heat-map, a learner's follow-up with its chart; Paramètres › Évaluation.

Who sees what is ``accounts.access``: teachers the learners of their classes and groups, the DDFPT and the chef
every learner, the inspector every learner read-only, a learner themself, a legal guardian their children. Every
page only reads (the inspector's read-only gate refuses POSTs anyway).
"""

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts import access
from accounts.models import Profile, User
from accounts.permissions import profile_required
from accounts.settings_views import render_settings_tab
from establishments.models import Division, TeachingGroup
from establishments.routing import tenant_url

from . import bilan_selectors, charts, followup
from .evaluation_models import EvaluationType, Level
from .evaluation_settings import EvaluationSettingsForm, save_settings, settings_of

CLASS_READERS = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)
LEARNER_READERS = (*CLASS_READERS, Profile.LEARNER, Profile.GUARDIAN)
SETTINGS_EDITORS = (Profile.ADMIN, Profile.HEAD, Profile.DDFPT)
LEVELS = [(level, label) for level, label in Level.choices]


@profile_required(*LEARNER_READERS)
def followup_index_view(request):
    """Staff: the classes they may open; a learner: their own page; a guardian: their child's, or the list."""
    user = request.user
    if user.profile == Profile.LEARNER:
        return _learner_page(request, user)
    if user.profile == Profile.GUARDIAN:
        children = list(access.visible_learners(user).filter(is_active=True).order_by("last_name", "first_name"))
        if len(children) == 1:
            return _learner_page(request, children[0])
        return render(request, "pedagogy/followup/index.html", {"children": children, "is_guardian": True})
    divisions = list(access.visible_divisions(user).select_related("cohort__version").order_by("code"))
    groups = list(access.visible_groups(user).prefetch_related("divisions").order_by("code"))
    return render(request, "pedagogy/followup/index.html", {"divisions": divisions, "groups": groups})


def _filters_context(filters, blocks):
    return {"filters": filters, "blocks": blocks, "types": EvaluationType.choices}


def _heatmap_page(request, build, **context):
    """The heat-map page of a class or a group: ``build(user, filters=…, by_criterion=…)`` makes its heat-map."""
    filters = followup.Filters.from_query(request.GET)
    by_criterion = request.GET.get("detail") == "criteres"
    heatmap = build(request.user, filters=filters, by_criterion=by_criterion)
    return render(request, "pedagogy/followup/class.html", {
        **context, "heatmap": heatmap, "levels": LEVELS, "by_criterion": by_criterion,
        **_filters_context(filters, heatmap.blocks),
    })


@profile_required(*CLASS_READERS)
def followup_class_view(request, division_pk: int):
    division = access.get_or_404(request.user, access.VIEW, Division, pk=division_pk)
    return _heatmap_page(
        request, lambda user, **options: followup.class_heatmap(division, user, **options),
        division=division, code=division.code,
        bilan_periods=bilan_selectors.class_periods(request.establishment, division))


@profile_required(*CLASS_READERS)
def followup_group_view(request, group_pk: int):
    """The heat-map of a teaching group (a teacher's own groups; every group for the establishment's staff)."""
    group = access.get_or_404(request.user, access.VIEW, TeachingGroup, pk=group_pk)
    return _heatmap_page(
        request, lambda user, **options: followup.group_heatmap(group, user, **options), group=group, code=group.code)


@profile_required(*LEARNER_READERS)
def followup_learner_view(request, pk: int):
    learner = access.get_or_404(request.user, access.VIEW, User.objects.filter(profile=Profile.LEARNER), pk=pk)
    return _learner_page(request, learner)


def _learner_page(request, learner):
    filters = followup.Filters.from_query(request.GET)
    focus = request.GET.get("competence", "")
    data = followup.learner_followup(learner, filters=filters, competency_id=int(focus) if focus.isdecimal() else None)
    if focus and data.focus is None and data.cohort is not None:
        messages.info(request, "Cette compétence n'est pas dans la liste affichée : le graphique montre toutes "
                               "les compétences.")
    previous, following, classmates = followup.neighbours(request.user, learner)
    title = (f"Évolution du niveau proposé — {data.focus.code}" if data.focus
             else "Évolution du niveau proposé (moyenne des compétences évaluées)")
    return render(request, "pedagogy/followup/learner.html", {
        "learner": learner, "data": data, "chart": charts.progress_svg(data.points, data.markers, title=title),
        "chart_title": title, "previous": previous, "next": following, "classmates": classmates,
        "is_self": learner.pk == request.user.pk, "staff": request.user.profile in CLASS_READERS,
        "may_open_class": _may_open_class(request.user, learner),
        "bilan_periods": _bilan_periods(request, learner),
        **_filters_context(filters, data.blocks),
    })


def _bilan_periods(request, learner) -> list:
    """Staff: the bilan periods of the learner's class, each opening their bilan (one query). Learners and
    guardians reach their validated bilans from « Mes bilans » instead."""
    if request.user.profile not in CLASS_READERS or not learner.division_id:
        return []
    return bilan_selectors.class_periods(request.establishment, learner.division)


def _may_open_class(user, learner) -> bool:
    return bool(learner.division_id) and user.profile in CLASS_READERS and access.visible_divisions(user).filter(
        pk=learner.division_id).exists()


@profile_required(*SETTINGS_EDITORS)
def evaluation_settings_view(request):
    """Paramètres › Évaluation: half-life and weight of each evaluation type."""
    row = settings_of(request.establishment)
    form = EvaluationSettingsForm(request.POST or None, initial=EvaluationSettingsForm.initial_for(row))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if save_settings(request.establishment, request.user, form.cleaned_data):
                messages.success(request, "Les paramètres de l'évaluation ont été enregistrés.")
            else:
                messages.info(request, "Rien n'a changé.")
            return redirect(tenant_url(request.establishment, "settings_evaluation"))
        status = 400
    return render_settings_tab(request, "pedagogy/followup/settings_evaluation.html", "evaluation",
                               {"form": form}, status=status)
