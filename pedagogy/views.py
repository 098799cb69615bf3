from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.permissions import SETTINGS_PROFILES, profile_required
from accounts.settings_views import render_settings_tab
from establishments.routing import tenant_url
from referentiels.selectors import NO_SUBSCRIPTION_MESSAGE, subscribed_diplomas

from . import selectors, services
from .forms import DiplomaChoiceForm, ScenarioLabelsForm, diploma_choices


def _url(request, diploma_code: str = "") -> str:
    url = tenant_url(request.establishment, "settings_scenario_labels")
    return f"{url}?diplome={diploma_code}" if diploma_code else url


@profile_required(*SETTINGS_PROFILES)
def scenario_labels_view(request):
    """Onglet Masque de saisie."""
    establishment = request.establishment
    diplomas = {d.code: d for d in subscribed_diplomas(establishment)}  # the Masque de saisie lists these only
    if not diplomas:
        return render_settings_tab(request, "pedagogy/settings_scenario_labels.html", "scenario_labels", {
            "no_subscription_message": NO_SUBSCRIPTION_MESSAGE,
        }, status=400 if request.method == "POST" else 200)
    source = request.POST if request.method == "POST" else request.GET
    diploma_code = source.get("diplome") or next(iter(diplomas))
    if diploma_code not in diplomas:
        messages.error(request, "Ce diplôme est inconnu : choisissez-le dans la liste.")
        diploma_code = next(iter(diplomas))
    current = selectors.scenario_field_labels(establishment, diploma_code)
    form = ScenarioLabelsForm(request.POST or None, current=current, diplomas=diplomas.values(),
                              initial={"diplome": diploma_code})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.scenario_field_labels_save(establishment=establishment, actor=request.user,
                                                diploma_code=diploma_code, labels=form.labels())
            messages.success(request, f"Le masque de saisie du diplôme {diploma_code} a été enregistré.")
            return redirect(_url(request, diploma_code))
        status = 400
    return render_settings_tab(request, "pedagogy/settings_scenario_labels.html", "scenario_labels", {
        "choice_form": DiplomaChoiceForm(diplomas=diplomas.values(), initial={"diplome": diploma_code}),
        "form": form,
        "diploma_code": diploma_code,
        "diploma_label": diploma_choices([diplomas[diploma_code]])[0][1],
    }, status=status)


@profile_required(*SETTINGS_PROFILES)
@require_POST
def scenario_labels_reset_view(request):
    diploma_code = request.POST.get("diplome", "")
    if diploma_code not in {d.code for d in subscribed_diplomas(request.establishment)}:
        messages.error(request, "Ce diplôme est inconnu : rien n'a été réinitialisé.")
        return redirect(_url(request))
    count = services.scenario_field_labels_reset(establishment=request.establishment, actor=request.user,
                                                 diploma_code=diploma_code)
    if count:
        messages.success(request, f"Les intitulés par défaut du diplôme {diploma_code} sont rétablis.")
    else:
        messages.info(request, f"Le diplôme {diploma_code} utilisait déjà les intitulés par défaut.")
    return redirect(_url(request, diploma_code))
