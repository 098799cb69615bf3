"""What transfers adds to the shared pages (imported by ``TransfersConfig.ready``)."""

from accounts.permissions import SETTINGS_PROFILES, for_profiles
from establishments import extensions

extensions.settings_tabs.register(extensions.Link(
    key="transfers", label="Transferts", url_name="settings_transfers",
    visible=for_profiles(*SETTINGS_PROFILES), order=30))

extensions.audit_labels.register({
    "transfer.manual.request": "Demande de transfert manuel",
    "transfer.manual.done": "Transfert manuel effectué",
    "rgpd.purge": "Suppression RGPD des comptes désactivés depuis plus de 12 mois",
})
