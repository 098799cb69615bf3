from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from establishments.models import Division
from establishments.routing import tenant_url

from . import selectors, services
from .forms import BrowserFilterForm, CohortForm
from .permissions import BROWSER_PROFILES, CLASSES_PROFILES


@profile_required(*BROWSER_PROFILES)
def index_view(request):
    """The subscribed diplomas and their versions; a teacher's classes with their diploma."""
    establishment = request.establishment
    versions = selectors.subscribed_versions(establishment)
    diplomas: dict = {}
    for version in versions:
        diplomas.setdefault(version.diploma, []).append(version)
    return render(request, "referentiels/index.html", {
        "diplomas": list(diplomas.items()),
        "no_subscription_message": selectors.NO_SUBSCRIPTION_MESSAGE,
        "own_cohorts": selectors.teacher_cohorts(request.user) if request.user.profile == Profile.TEACHER else [],
        "may_tie_classes": request.user.profile in CLASSES_PROFILES,
    })


@profile_required(*BROWSER_PROFILES)
def version_view(request, diploma: str, version: str):
    """The tree of one version of a subscribed diploma, with search and filters (its address is stable:
    ``…/referentiels/MELEC/2024/#C7``)."""
    tree = selectors.version_tree(request.establishment, diploma, version)
    if tree is None:
        raise Http404("Ce référentiel n'existe pas ou l'établissement n'y est pas abonné.")
    form = BrowserFilterForm(request.GET or None, blocks=tree.blocks, levels=tree.class_levels)
    shown = selectors.filter_tree(tree, query=form.value("q"), block_code=form.value("bloc"),
                                  level=form.value("niveau"))
    return render(request, "referentiels/version.html", {
        "tree": tree, "version": tree.version, "diploma": tree.version.diploma, "form": form, "shown": shown,
        "query": form.value("q"),
        "page_url": tenant_url(request.establishment, "referentiel_version", diploma=diploma, version=version),
    })


def _classes_url(request) -> str:
    return tenant_url(request.establishment, "referentiels_classes")


@profile_required(*CLASSES_PROFILES)
def classes_view(request):
    """« Classes et diplômes »: each class with the diploma version and level it follows, changeable."""
    establishment = request.establishment
    versions = selectors.subscribed_versions(establishment)
    rows = selectors.classes_and_diplomas(establishment)
    for row in rows:
        cohort = row.cohort
        row.form = CohortForm(versions=versions, auto_id=f"id_%s_{row.division.pk}", initial={
            "version": cohort.version_id if cohort else "", "niveau": cohort.class_level if cohort else ""})
    return render(request, "referentiels/classes.html", {
        "rows": rows, "subscribed": bool(versions), "no_subscription_message": selectors.NO_SUBSCRIPTION_MESSAGE,
    })


@profile_required(*CLASSES_PROFILES)
def class_cohort_view(request, division_pk: int):
    """One class's diploma and level: the form (GET), the change (POST)."""
    establishment = request.establishment
    action = access.CHANGE if request.method == "POST" else access.VIEW
    division = access.get_or_404(request.user, action, Division, pk=division_pk)
    versions = selectors.subscribed_versions(establishment)
    cohort = selectors.cohorts_of(establishment, [division.pk]).get(division.pk)
    form = CohortForm(request.POST or None, versions=versions, initial={
        "version": cohort.version_id if cohort else "", "niveau": cohort.class_level if cohort else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cohort = services.cohort_change(establishment=establishment, actor=request.user, division=division,
                                                version_id=form.cleaned_data["version"],
                                                class_level=form.cleaned_data["niveau"])
            except services.CohortError as error:
                form.add_error("version", str(error))
            else:
                level = cohort.get_class_level_display()
                messages.success(request, f"La classe {division.code} suit désormais {cohort.version.label}"
                                          f"{f' ({level})' if level else ''}.")
                return redirect(_classes_url(request))
        status = 400
    return render(request, "referentiels/class_cohort.html", {
        "division": division, "cohort": cohort, "form": form, "subscribed": bool(versions),
        "no_subscription_message": selectors.NO_SUBSCRIPTION_MESSAGE,
    }, status=status)
