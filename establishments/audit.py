"""The audit log: every action that changes users or settings, readable by the establishment's administrator.

The storage (``AuditEntry``) and ``record`` live in the tenant core so every app can write to it. Any app records
its actions with ``record(establishment, actor, action, target, details)``; ``action`` is a short code
(``"user.create"``) whose French label the app registers itself (``extensions.audit_labels.register``; an
unregistered code is shown as is). Details are plain JSON data; keys that look like secrets are dropped, so a
password can never reach the log.
"""

import re
from typing import Any

from .extensions import audit_labels
from .models import AuditEntry

_SECRET_KEY = re.compile(r"pass|mot_?de_?passe|secret|token|code_?initial", re.IGNORECASE)


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _without_secrets(v) for k, v in value.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def actor_display(actor) -> str:
    """How an author is shown in the log (copied in clear: it must stay readable once the account is purged)."""
    if actor is None:
        return "Système"
    if actor.establishment_id is None:
        return f"Service technique ({actor.login})"
    return f"{actor.full_name} ({actor.login})"


def record(establishment, actor, action: str, target: Any = "", details: dict | None = None) -> AuditEntry:
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
    return audit_labels.label(action)


def with_labels(entries) -> list[AuditEntry]:
    """The entries with ``action_label`` set, for display."""
    entries = list(entries)
    for entry in entries:
        entry.action_label = action_label(entry.action)
    return entries
