"""What pedagogy adds to the shared pages (imported by ``PedagogyConfig.ready``)."""

from accounts.permissions import SETTINGS_PROFILES, for_profiles
from establishments import extensions

extensions.settings_tabs.register(extensions.Link(
    key="scenario_labels", label="Masque de saisie", url_name="settings_scenario_labels",
    visible=for_profiles(*SETTINGS_PROFILES), order=40))

extensions.audit_labels.register({
    "establishment.scenario_labels": "Modification du masque de saisie",
    "establishment.scenario_labels.reset": "Réinitialisation du masque de saisie",
})
