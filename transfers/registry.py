"""How the daily jobs move the declared learner data (``accounts.learner_data``) for a batch of transfers.

The transfer works on batches of learners. Each declared model is moved by one statement per batch::

    UPDATE t SET establishment_id = v.establishment, learner_id = v.destination[, other = %s]
    FROM [parent tables,] (VALUES (origin, destination, establishment), ...) AS v
    WHERE t.learner_id = v.origin            -- or, for a child, through its parents' keys

built from the models' metadata (the table, columns and keys of the ``learner`` path); a custom ``move=``
receives the rows of the batch's origins and ``LearnerMoves`` (with ``in_place``, this statement plus constant
values). The moved rows are counted per learner: on PostgreSQL the statement returns the origin of each row it
moved; elsewhere (SQLite, the embedded mode) and for custom moves, one grouped count is read just before.
"""

from collections import Counter
from collections.abc import Sequence
from functools import partial

from django.db import connections, models, router
from django.db.models import Count

from accounts.learner_data import LearnerData, LearnerMoves, entries

Pair = tuple[models.Model, models.Model]  # (origin learner, destination learner)

__all__ = ["entries", "move_in_place", "move_learner_data"]


def move_learner_data(pairs: Sequence[Pair]) -> dict[int, dict[str, int]]:
    """Moves every declared row of each pair's origin to its destination, inside the caller's transaction.

    Each origin appears at most once. Returns, per origin id, the number of rows moved per model label.
    """
    moved: dict[int, dict[str, int]] = {origin.pk: {} for origin, _ in pairs}
    if not pairs:
        return moved
    for entry in entries():
        counts = _move(entry, pairs)
        for origin_id, per_model in moved.items():
            per_model[entry.label] = counts.get(origin_id, 0)
    return moved


def _move(entry: LearnerData, pairs: Sequence[Pair]) -> Counter:
    if entry.move is None:
        return move_in_place(entry, pairs)
    origin_ids = [origin.pk for origin, _ in pairs]
    before = _count_per_origin(entry, origin_ids)
    entry.move(entry.rows(origin_ids), LearnerMoves(pairs=list(pairs), in_place=partial(_in_place_total, entry, pairs)))
    return before


def _in_place_total(entry: LearnerData, pairs: Sequence[Pair], **values) -> int:
    return sum(move_in_place(entry, pairs, **values).values())


def _count_per_origin(entry: LearnerData, origin_ids: list[int]) -> Counter:
    rows = entry.rows(origin_ids).order_by().values(entry.learner).annotate(n=Count("pk"))
    return Counter({row[entry.learner]: row["n"] for row in rows})


def move_in_place(entry: LearnerData, pairs: Sequence[Pair], **values) -> Counter:
    """The default move of ``entry`` for these pairs, in one statement; ``values``: more columns to set.

    Returns the number of rows moved per origin id.
    """
    model = entry.model
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    postgresql = connection.vendor == "postgresql"

    # The learner path: the target's column (direct link) or a chain of joins through the parents.
    joins, conditions = [], []
    current, current_alias = model, table
    parts = entry.learner.split("__")
    for depth, name in enumerate(parts[:-1], start=1):
        field = current._meta.get_field(name)
        parent_alias = f"p{depth}"
        joins.append(f"{quote(field.related_model._meta.db_table)} AS {parent_alias}")
        conditions.append(f"{current_alias}.{quote(field.column)} = {parent_alias}.{quote(field.target_field.column)}")
        current, current_alias = field.related_model, parent_alias
    learner_field = current._meta.get_field(parts[-1])
    conditions.append(f"{current_alias}.{quote(learner_field.column)} = v.origin")

    assignments = [f"{quote(model._meta.get_field('establishment').column)} = v.establishment"]
    if not joins:
        assignments.append(f"{quote(learner_field.column)} = v.destination")
    params: list = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection=connection))

    rows = ", ".join(["(%s, %s, %s)"] * len(pairs))
    if postgresql:
        source = f"(VALUES {rows}) AS v (origin, destination, establishment)"
    else:
        source = ("(SELECT column1 AS origin, column2 AS destination, column3 AS establishment "  # noqa: S608
                  f"FROM (VALUES {rows})) AS v")
    sql = (f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608 - names from the models' metadata
           f"FROM {', '.join([*joins, source])} WHERE {' AND '.join(conditions)}")
    for origin, destination in pairs:
        params.extend((origin.pk, destination.pk, destination.establishment_id))

    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute(sql + " RETURNING v.origin", params)
            return Counter(origin_id for (origin_id,) in cursor.fetchall())
    counts = _count_per_origin(entry, [origin.pk for origin, _ in pairs])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return counts
