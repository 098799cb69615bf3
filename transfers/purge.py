"""RGPD purge: users deactivated more than 12 months ago are deleted with all their data (SPEC §1, §8).

"More than 12 months" uses the same calendar months as the former learners' access
(``accounts.former_learners.retention_cutoff``): the access ends exactly when the purge may start.

Users go in batches, one transaction each. In a batch the users are locked (``select_for_update``) by a query
that repeats the conditions (still inactive, still deactivated before the cutoff): PostgreSQL re-evaluates
them on a row another transaction changed, so a user reactivated by an import — before the purge or while
it waits for the lock — is not in the locked set and keeps everything. Then the declared learner data
(``accounts.learner_data``) are deleted, the users last (cascading to what still points to them). Files of the
deleted rows are removed from storage only once the transaction has committed.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from accounts.former_learners import retention_cutoff
from accounts.learner_data import entries
from accounts.models import User
from establishments.audit import actor_display
from establishments.models import AuditEntry
from establishments.scoping import scopes_disabled

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class PurgeResult:
    users: int = 0
    by_establishment: Counter = field(default_factory=Counter)
    rows: Counter = field(default_factory=Counter)
    files: int = 0
    failed: list[int] = field(default_factory=list)

    def add(self, other: "PurgeResult") -> None:
        self.users += other.users
        self.by_establishment.update(other.by_establishment)
        self.rows.update(other.rows)
        self.files += other.files

    def summary(self) -> dict:
        """Counts only: what was deleted is gone, the record says how much."""
        return {"users": self.users, "by_establishment": dict(self.by_establishment), "rows": dict(self.rows),
                "files": self.files, "failed": len(self.failed)}

    def as_dict(self) -> dict:
        return {**self.summary(), "failed_ids": self.failed}


def _expired_users(cutoff: datetime):
    return User.objects.filter(is_active=False, deactivated_at__lt=cutoff)


def _delete_files(files: list[tuple]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Purge RGPD : le fichier %s n'a pas pu être supprimé", name)


def _purge_batch(ids: list[int], cutoff: datetime) -> PurgeResult:
    batch = PurgeResult()
    with transaction.atomic():
        locked = list(
            _expired_users(cutoff).select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
            .values_list("pk", "establishment__uai", "establishment_id")
        )
        locked_ids = [pk for pk, _, _ in locked]
        if not locked_ids:
            return batch
        files = []
        for entry in entries():
            rows = entry.rows(locked_ids)
            for name in entry.file_fields():
                storage = entry.model._meta.get_field(name).storage
                files.extend((storage, path) for path in rows.exclude(**{name: ""}).values_list(name, flat=True))
            _, per_model = rows.only("pk").delete()  # the deletion reads the keys only
            batch.rows.update(per_model)
        # The same conditions once more in the deleting statement: nothing but expired users can go.
        _, per_model = _expired_users(cutoff).filter(pk__in=locked_ids).only("pk").delete()
        batch.users = per_model.get(User._meta.label, 0)
        batch.by_establishment.update(uai or "plateforme" for _, uai, _ in locked)
        # Each establishment's journal says how many accounts the purge deleted (counts only, no names).
        per_establishment = Counter(est_id for _, _, est_id in locked if est_id is not None)
        AuditEntry.objects.bulk_create([
            AuditEntry(establishment_id=est_id, actor=None, actor_name=actor_display(None), action="rgpd.purge",
                       target=f"{count} compte(s)", details={"comptes": count})
            for est_id, count in per_establishment.items()
        ])
        batch.files = len(files)
        if files:
            transaction.on_commit(partial(_delete_files, files))
    return batch


def purge_expired_users(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> PurgeResult:
    """Deletes every user deactivated more than 12 months before ``now``, with their data, in all establishments.

    A batch that fails (data another module protects) is retried user by user; those still failing are listed
    in ``failed`` and kept for the next run.
    """
    cutoff = retention_cutoff(now)
    result = PurgeResult()
    last_pk = 0
    with scopes_disabled():
        while True:
            ids = list(_expired_users(cutoff).filter(pk__gt=last_pk).order_by("pk")
                       .values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last_pk = ids[-1]
            try:
                result.add(_purge_batch(ids, cutoff))
            except (ProtectedError, RestrictedError, IntegrityError):
                for pk in ids:
                    try:
                        result.add(_purge_batch([pk], cutoff))
                    except (ProtectedError, RestrictedError, IntegrityError):
                        logger.exception("Purge RGPD : l'utilisateur %s n'a pas pu être supprimé", pk)
                        result.failed.append(pk)
    for label in list(result.rows):
        if result.rows[label] == 0:
            del result.rows[label]
    return result
