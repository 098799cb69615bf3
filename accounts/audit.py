"""The audit log: every action that changes users or settings, readable by the establishment's administrator.

Any app records its actions with ``record(establishment, actor, action, target, details)``. ``action`` is a
short code (``"user.create"``); give it a French label in ``ACTION_LABELS`` (or it is shown as is). Details are
plain JSON data; keys that look like secrets are dropped, so a password can never reach the log.
"""

import re
from typing import Any

from .models import AuditEntry, User

ACTION_LABELS = {
    "establishment.identity": "Modification des informations de l'établissement",
    "establishment.logo.set": "Dépôt d'une image (logo ou cachet)",
    "establishment.logo.delete": "Suppression d'une image (logo ou cachet)",
    "establishment.transfer": "Réglage du transfert des données des élèves",
    "establishment.scenario_labels": "Modification du masque de saisie",
    "establishment.scenario_labels.reset": "Réinitialisation du masque de saisie",
    "transfer.manual.request": "Demande de transfert manuel",
    "transfer.manual.done": "Transfert manuel effectué",
    "user.create": "Création d'un utilisateur",
    "user.deactivate": "Désactivation d'un utilisateur",
    "user.reactivate": "Réactivation d'un utilisateur",
    "user.password_reset": "Réinitialisation du mot de passe",
    "user.email": "Modification de l'adresse e-mail",
    "learner_access.download": "Téléchargement de la liste des identifiants",
    "inspector.open": "Ouverture d'un accès inspecteur",
    "inspector.close": "Fermeture d'un accès inspecteur",
    "import.apply": "Import de fichiers SIECLE / STS-web",
    "division.create": "Création d'une classe",
    "rgpd.purge": "Suppression RGPD des comptes désactivés depuis plus de 12 mois",
}

_SECRET_KEY = re.compile(r"pass|mot_?de_?passe|secret|token|code_?initial", re.IGNORECASE)


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _without_secrets(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def actor_display(actor: User | None) -> str:
    if actor is None:
        return "Système"
    if actor.establishment_id is None:
        return f"Service technique ({actor.login})"
    return f"{actor.full_name} ({actor.login})"


def record(establishment, actor: User | None, action: str, target: Any = "", details: dict | None = None
           ) -> AuditEntry:
    """Writes one entry in ``establishment``'s log. Call it inside the transaction of the change it records.

    Works with or without an open establishment scope (a background job may call it): the establishment is
    given explicitly.
    """
    entry = AuditEntry(
        establishment=establishment,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_display(actor)[:300],
        action=action,
        target=str(target or "")[:300],
        details=_without_secrets(details or {}),
    )
    entry.save(force_insert=True)  # an insert goes through the base manager: no scope needed
    return entry


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def with_labels(entries) -> list[AuditEntry]:
    """The entries with ``action_label`` set, for display."""
    entries = list(entries)
    for entry in entries:
        entry.action_label = action_label(entry.action)
    return entries
