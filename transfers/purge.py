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

from django.db import IntegrityError, connection, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector

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
            batch.rows.update(_delete_rows(entry.model, entry.learner, locked_ids))
        # The same conditions once more in the deleting statement: nothing but expired users can go.
        if _delete_user_links(locked_ids):
            deactivated = User._meta.get_field("deactivated_at")
            batch.users = _delete_where(User, User._meta.pk.name, locked_ids, extra=(
                f'AND NOT "{User._meta.get_field("is_active").column}" AND "{deactivated.column}" < %s',
                [deactivated.get_db_prep_value(cutoff, connection)]))
        else:
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


# Per-relation statements: one ``DELETE``/``UPDATE … WHERE column = ANY(%s)`` per table with the batch's keys as
# one array parameter, instead of Django's collector (a ``SELECT`` of every related row, then ``IN`` lists of
# hundreds of placeholders). Used where the collector would do nothing more: no delete signal, nothing below the
# rows that cascades (``Collector.can_fast_delete``); anything else goes through the ORM as before.


def _array_sql() -> str:
    return "= ANY(%s)" if connection.vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"


def _array_param(ids: list[int]):
    if connection.vendor == "postgresql":
        return list(ids)
    import json

    return json.dumps(list(ids))


def _delete_where(model, field_name: str, ids: list[int], *, extra: tuple[str, list] = ("", [])) -> int:
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE "{column}" {_array_sql()} {extra[0]}',  # noqa: S608
                       [_array_param(ids), *extra[1]])
        return cursor.rowcount


def _delete_rows(model, path: str, ids: list[int]) -> dict[str, int]:
    """Deletes the rows of ``model`` whose ``path`` (a learner field, or a path through a parent) is in ``ids``;
    returns the rows deleted per model label, like ``QuerySet.delete()``."""
    rows = model._base_manager.filter(**{f"{path}__in": ids})
    if "__" not in path and Collector(using=rows.db).can_fast_delete(rows):
        return {model._meta.label: _delete_where(model, path, ids)}
    _, per_model = rows.only("pk").delete()  # the deletion reads the keys only
    return per_model


def _user_relations() -> list:
    """Every foreign key to the user model, hidden ones included (``related_name="+"``, the tables of
    many-to-many fields): ``(model, field)``."""
    return [(relation.related_model, relation.field)
            for relation in User._meta.get_fields(include_hidden=True)
            if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)]


def _delete_user_links(ids: list[int]) -> bool:
    """What still points to these users, relation by relation, before the users themselves go: cascading rows
    deleted, ``SET_NULL`` columns emptied; a ``PROTECT`` relation holding rows raises ``ProtectedError`` (the
    caller keeps the user and reports it). ``False`` (nothing done) if a relation needs Django's collector
    (``RESTRICT``, ``SET(…)``, ``SET_DEFAULT``)."""
    relations = _user_relations()
    simple = {models.CASCADE, models.SET_NULL, models.DO_NOTHING, models.PROTECT}
    if any(link.remote_field.on_delete not in simple for _, link in relations):
        return False
    for model, link in relations:
        on_delete = link.remote_field.on_delete
        if on_delete is models.PROTECT:
            protected = model._base_manager.filter(**{f"{link.name}__in": ids})
            if protected.exists():
                raise ProtectedError(f"{model._meta.label}.{link.name} protège ces utilisateurs.", set())
        elif on_delete is models.CASCADE:
            _delete_rows(model, link.name, ids)
        elif on_delete is models.SET_NULL:
            with connection.cursor() as cursor:
                cursor.execute(f'UPDATE "{model._meta.db_table}" SET "{link.column}" = NULL '  # noqa: S608
                               f'WHERE "{link.column}" {_array_sql()}', [_array_param(ids)])
    return True


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
