"""Exports (ODT, DOCX) and resources (links, files) of one scenario. Anyone who may view the scenario exports it
and downloads its files; authors and co-authors add and remove resources (``accounts.access`` decides)."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from establishments.routing import tenant_url

from . import exports, resources
from .models import Scenario, ScenarioResource

# Who opens scenario pages at all; which scenario each one reaches is ``accounts.access``'s rule for Scenario.
SCENARIO_PROFILES = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)
SCENARIO_PAGE = "scenario_detail"  # the scenario's page (pedagogy's scenario views), where resources are listed


def _scenario(request, pk: int, action: str) -> Scenario:
    return access.get_or_404(request.user, action, Scenario.objects.filter(establishment=request.establishment),
                             pk=pk)


def _back(request, scenario: Scenario):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(tenant_url(request.establishment, SCENARIO_PAGE, pk=scenario.pk))


def _only(request, *methods):
    """After the object check (another establishment's scenario is a 404 whatever the method)."""
    return None if request.method in methods else HttpResponseNotAllowed(methods)


def _changeable(request, pk: int) -> Scenario | HttpResponseNotAllowed:
    """The scenario if the user may change it: a scenario they may not even view is a 404 whatever the method;
    then anything but POST is a 405; then a scenario they only read is a 404 too."""
    scenario = _scenario(request, pk, access.VIEW)
    if refused := _only(request, "POST"):
        return refused
    if not access.can(request.user, access.CHANGE, scenario):
        raise Http404("Vous ne pouvez pas modifier ce scénario.")
    return scenario


@profile_required(*SCENARIO_PROFILES)
def scenario_export_view(request, pk: int, extension: str):
    scenario = _scenario(request, pk, access.VIEW)
    if refused := _only(request, "GET", "HEAD"):
        return refused
    return exports.export(scenario, extension).response()


@profile_required(*SCENARIO_PROFILES)
def resource_add_view(request, pk: int):
    scenario = _changeable(request, pk)
    if not isinstance(scenario, Scenario):
        return scenario
    title = request.POST.get("title", "")
    try:
        if request.POST.get("kind") == "link":
            resource = resources.add_link(scenario, url=request.POST.get("url", ""), title=title,
                                          actor=request.user)
        else:
            resource = resources.add_file(scenario, upload=request.FILES.get("file"), title=title,
                                          actor=request.user)
    except resources.ResourceRefused as refusal:
        for message in refusal.messages:
            messages.error(request, f"Ressource refusée : {message}")
        return _back(request, scenario)
    messages.success(request, f"La ressource « {resource.title} » a été ajoutée.")
    return _back(request, scenario)


@profile_required(*SCENARIO_PROFILES)
def resource_delete_view(request, pk: int, resource_pk: int):
    scenario = _changeable(request, pk)
    if not isinstance(scenario, Scenario):
        return scenario
    resource = get_object_or_404(ScenarioResource, pk=resource_pk, scenario=scenario)
    resources.delete_resource(resource, actor=request.user)
    messages.success(request, f"La ressource « {resource.title} » a été supprimée.")
    return _back(request, scenario)


@profile_required(*SCENARIO_PROFILES)
def resource_download_view(request, pk: int, resource_pk: int):
    scenario = _scenario(request, pk, access.VIEW)
    resource = get_object_or_404(ScenarioResource, pk=resource_pk, scenario=scenario,
                                 kind=ScenarioResource.Kind.FILE)
    if refused := _only(request, "GET", "HEAD"):
        return refused
    response = resources.download_response(resource)
    if response is None:
        raise Http404(resources.FILE_GONE)
    return response
