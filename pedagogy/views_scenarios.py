"""Pages of the teaching scenarios (menu « Gérer et évaluer les activités de formation»).

Teachers write; authors and co-authors edit; the DDFPT, the chef d'établissement and the inspector read. Which
scenario a user may read or change is decided by the rule registered in ``pedagogy.registrations``.
"""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from establishments.routing import tenant_url
from referentiels.models import ClassLevel
from referentiels.selectors import NO_SUBSCRIPTION_MESSAGE

from . import scenario_selectors as selectors
from . import scenario_services as services
from . import scenario_uses
from .models import Scenario, ScenarioShare
from .permissions import SCENARIO_READERS, SCENARIO_WRITERS
from .scenario_forms import DuplicateForm, ScenarioForm, ShareForm
from .selectors import scenario_field_labels

READERS, WRITERS = SCENARIO_READERS, SCENARIO_WRITERS
LEVELS = dict(ClassLevel.choices)


def _list_url(request, scenario=None, diploma: str = "", level: str = "") -> str:
    url = tenant_url(request.establishment, "scenarios")
    if scenario is not None:
        diploma, level = scenario.version.diploma.code, scenario.class_level
    return f"{url}?diplome={diploma}&niveau={level}" if diploma else url


def _detail_url(request, scenario) -> str:
    return tenant_url(request.establishment, "scenario_detail", pk=scenario.pk)


def _scenarios(request):
    return Scenario.objects.filter(establishment=request.establishment).select_related("version__diploma")


@profile_required(*READERS)
def scenario_list_view(request):
    """Choose a subscribed diploma and a class level → its scenarios, with search."""
    establishment = request.establishment
    diplomas = selectors.versions_by_diploma(establishment)
    if not diplomas:
        return render(request, "pedagogy/scenarios/list.html", {"no_subscription_message": NO_SUBSCRIPTION_MESSAGE})
    diploma, level = request.GET.get("diplome", ""), request.GET.get("niveau", "")
    if not diploma and request.user.profile == Profile.TEACHER:  # opens on the teacher's own classes
        diploma, level = selectors.own_level(request.user)
    if diploma not in diplomas:
        diploma = next(iter(diplomas))
    versions = diplomas[diploma]
    levels = selectors.levels_of(versions)
    level = level if level in dict(levels) else ""
    query = request.GET.get("q", "").strip()[:200]
    rows = selectors.scenario_list(establishment, diploma, level, query) if level else []
    return render(request, "pedagogy/scenarios/list.html", {
        "diplomas": diplomas, "diploma": diploma, "versions": versions, "levels": levels, "level": level,
        "level_label": LEVELS.get(level, ""), "query": query, "rows": rows,
        "may_write": request.user.profile in WRITERS, "token": uuid.uuid4().hex,
    })


def _editor(request, *, version, class_level, scenario=None, form=None, status=200, stale=None):
    choices = form.choices if form else selectors.link_choices(version)
    if scenario is not None and form is None:
        links = selectors.scenario_links(scenario, choices)
    elif form is not None:
        raw = {name: set() for name in ("tasks", "competencies", "criteria", "transversal_competencies")}
        for name in raw:
            for value in form.data.getlist(name):
                if value.isdecimal():
                    raw[name].add(int(value))
        links = selectors.links_from_ids(choices, raw["tasks"], raw["competencies"], raw["criteria"],
                                         raw["transversal_competencies"])
    else:
        links = selectors.links_from_ids(choices, set(), set(), set(), set())
    if form is None:
        teachers = selectors.establishment_teachers(request.establishment)
        initial = {"token": uuid.uuid4().hex}
        author_ids = ()
        if scenario is not None:
            author_ids = {scenario.created_by_id} - {None}
            initial.update(title=scenario.title, co_intervention=scenario.co_intervention,
                           situation=scenario.situation, equipment=scenario.equipment,
                           training_spaces=scenario.training_spaces, revision=scenario.revision,
                           co_authors=[a.pk for a in scenario.authors.all() if a.pk not in author_ids])
        else:
            author_ids = {request.user.pk}
        form = ScenarioForm(initial=initial, choices=choices, teachers=teachers, author_ids=author_ids)
    query = request.GET.get("q", "").strip()[:200]
    shown = selectors.matching(choices, query) if query else None  # the search without JavaScript
    selected = {
        "tasks": {t.pk for t in links.tasks}, "competencies": {c.pk for c in links.competencies},
        "criteria": {cr.pk for _c, cr in links.criteria},
        "transversal_competencies": {c.pk for c in links.transversals},
    }
    return render(request, "pedagogy/scenarios/edit.html", {
        "form": form, "scenario": scenario, "version": version, "class_level": class_level,
        "level_label": LEVELS.get(class_level, class_level), "choices": choices, "links": links,
        "selected": selected, "labels": scenario_field_labels(request.establishment, version.diploma.code),
        "query": query, "shown": shown, "stale": stale,
        "list_url": _list_url(request, scenario, version.diploma.code, class_level),
    }, status=status)


def _form(request, version, scenario=None):
    choices = selectors.link_choices(version)
    author_ids = ({scenario.created_by_id} - {None}) if scenario else {request.user.pk}
    return ScenarioForm(request.POST, choices=choices, teachers=selectors.establishment_teachers(
        request.establishment), author_ids=author_ids)


@profile_required(*WRITERS)
def scenario_create_view(request):
    """« Nouveau scénario » for a version (of a subscribed diploma) and a level."""
    source = request.POST if request.method == "POST" else request.GET
    diplomas = selectors.versions_by_diploma(request.establishment)
    versions = {str(v.pk): v for vs in diplomas.values() for v in vs}
    version = versions.get(source.get("version", ""))
    class_level = source.get("niveau", "")
    if request.method != "POST" and versions:  # a bare address: the newest version of the first diploma
        version = version or next(iter(versions.values()))
        class_level = class_level if class_level in LEVELS else selectors.levels_of([version])[0][0]
    if version is None or class_level not in LEVELS:
        return render(request, "pedagogy/scenarios/list.html", {
            "no_subscription_message": NO_SUBSCRIPTION_MESSAGE if not versions else
            "Choisissez d'abord un diplôme et un niveau dans la liste des scénarios."},
            status=400 if request.method == "POST" else 200)
    if request.method != "POST":
        return _editor(request, version=version, class_level=class_level)
    form = _form(request, version)
    if not form.is_valid():
        return _editor(request, version=version, class_level=class_level, form=form, status=400)
    scenario, created = services.create_scenario(
        establishment=request.establishment, actor=request.user, version=version, class_level=class_level,
        data=form.data_for_save(), co_authors=form.cleaned_data["co_authors"], token=form.cleaned_data["token"])
    if created:
        messages.success(request, f"Le scénario « {scenario.title} » a été créé.")
    return redirect(_detail_url(request, scenario))


@profile_required(*READERS)
def scenario_detail_view(request, pk: int):
    scenario = access.get_or_404(request.user, access.VIEW, _scenarios(request), pk=pk)
    choices = selectors.link_choices(scenario.version)
    uses = scenario_uses.uses_of([scenario.pk]).get(scenario.pk, {})
    may_change = access.can(request.user, access.CHANGE, scenario)
    return render(request, "pedagogy/scenarios/detail.html", {
        "scenario": scenario, "links": selectors.scenario_links(scenario, choices),
        "labels": scenario_field_labels(request.establishment, scenario.version.diploma.code),
        "authors": list(scenario.authors.order_by("last_name", "first_name")),
        "resources": list(scenario.resources.all()), "uses": scenario_uses.describe(uses),
        "may_change": may_change, "may_write": request.user.profile in WRITERS,
        "duplicate_form": DuplicateForm(initial={"class_level": scenario.class_level, "token": uuid.uuid4().hex},
                                        levels=selectors.levels_of([scenario.version])),
        "list_url": _list_url(request, scenario),
    })


@profile_required(*WRITERS)
def scenario_edit_view(request, pk: int):
    scenario = access.get_or_404(request.user, access.CHANGE, _scenarios(request), pk=pk)
    version = scenario.version
    if request.method != "POST":
        return _editor(request, version=version, class_level=scenario.class_level, scenario=scenario)
    form = _form(request, version, scenario)
    if not form.is_valid():
        return _editor(request, version=version, class_level=scenario.class_level, scenario=scenario, form=form,
                       status=400)
    try:
        services.save_scenario(scenario=scenario, actor=request.user,
                               revision=form.cleaned_data["revision"] or 0, data=form.data_for_save(),
                               co_authors=form.cleaned_data["co_authors"])
    except services.StaleScenario as error:
        return _editor(request, version=version, class_level=scenario.class_level, scenario=scenario, form=form,
                       status=409, stale=str(error))
    messages.success(request, f"Le scénario « {form.cleaned_data['title'].strip()} » a été enregistré.")
    return redirect(_detail_url(request, scenario))


@profile_required(*WRITERS)
@require_POST
def scenario_duplicate_view(request, pk: int):
    scenario = access.get_or_404(request.user, access.VIEW, _scenarios(request), pk=pk)
    form = DuplicateForm(request.POST, levels=selectors.levels_of([scenario.version]))
    if not form.is_valid():
        messages.error(request, "Choisissez le niveau de la copie dans la liste.")
        return redirect(_detail_url(request, scenario))
    copy, created = services.duplicate_scenario(scenario=scenario, actor=request.user,
                                                class_level=form.cleaned_data["class_level"],
                                                token=form.cleaned_data["token"])
    if created:
        messages.success(request, f"Le scénario a été dupliqué pour le niveau {LEVELS[copy.class_level]} : "
                                  "modifiez la copie ci-dessous.")
    return redirect(tenant_url(request.establishment, "scenario_edit", pk=copy.pk))


@profile_required(*WRITERS)
def scenario_delete_view(request, pk: int):
    scenario = access.get_or_404(request.user, access.CHANGE, _scenarios(request), pk=pk)
    uses = scenario_uses.uses_of([scenario.pk]).get(scenario.pk, {})
    if request.method == "POST":
        try:
            services.delete_scenario(scenario=scenario, actor=request.user)
        except services.ScenarioError as error:
            messages.error(request, str(error))
            return redirect(_detail_url(request, scenario))
        messages.success(request, f"Le scénario « {scenario.title} » a été supprimé.")
        return redirect(_list_url(request, scenario))
    return render(request, "pedagogy/scenarios/delete.html", {
        "scenario": scenario, "uses": scenario_uses.describe(uses)})


@profile_required(*WRITERS)
def scenario_share_view(request, pk: int):
    scenario = access.get_or_404(request.user, access.CHANGE, _scenarios(request), pk=pk)
    form = ShareForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.share_scenario(scenario=scenario, actor=request.user, uai=form.cleaned_data["uai"])
            except services.ScenarioError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, f"Le scénario a été envoyé à l'établissement {result.recipient.uai} "
                                          f"({result.recipient.name}) : ses enseignants le trouveront dans "
                                          "« Scénarios reçus ».")
                return redirect(_detail_url(request, scenario))
        status = 400
    return render(request, "pedagogy/scenarios/share.html", {"scenario": scenario, "form": form}, status=status)


@profile_required(*WRITERS)
def received_list_view(request):
    return render(request, "pedagogy/scenarios/received.html", {
        "shares": selectors.received_shares(request.establishment)})


@profile_required(*WRITERS)
@require_POST
def received_import_view(request, pk: int):
    share = get_object_or_404(ScenarioShare.objects.filter(establishment=request.establishment), pk=pk)
    if not access.can(request.user, access.CHANGE, share):
        raise Http404("Vous n'avez pas accès à cet objet.")
    try:
        scenario, created = services.import_share(share=share, actor=request.user)
    except services.ScenarioError as error:
        messages.error(request, str(error))
        return redirect(tenant_url(request.establishment, "scenarios_received"))
    if created:
        messages.success(request, f"Le scénario « {scenario.title} » reçu de {share.from_uai} a été importé.")
    return redirect(_detail_url(request, scenario))

