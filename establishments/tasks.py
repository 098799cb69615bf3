"""One Celery task base for work done for one establishment.

Declare the task with ``@establishment_task(...)``: its function receives the resolved ``Establishment`` and runs
inside ``scope(establishment=…)``; it is sent with ``establishment_id`` as its first argument (ids only cross the
broker). Send it with ``send_after_commit(task, establishment, *args)``: the message leaves only once the current
transaction commits, so a worker never picks up a row it cannot see yet, nor work that was rolled back.
An establishment deactivated (or deleted) before the task runs gets nothing done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task
from django.db import transaction

from .models import Establishment
from .scoping import scope

logger = logging.getLogger(__name__)


class EstablishmentTask(Task):
    """Resolves the establishment id given first and runs the task body inside its scope."""

    abstract = True

    def __call__(self, establishment_id: int, *args, **kwargs):
        establishment = Establishment.objects.filter(pk=establishment_id, is_active=True).first()
        if establishment is None:
            logger.warning("task %s skipped: establishment %s is gone or inactive", self.name, establishment_id)
            return None
        with scope(establishment=establishment):
            return self.run(establishment, *args, **kwargs)


def establishment_task(*args, **options) -> Callable:
    """``@establishment_task`` or ``@establishment_task(acks_late=True, …)``: a shared task on the base above."""
    options.setdefault("base", EstablishmentTask)
    if len(args) == 1 and callable(args[0]) and not options.keys() - {"base"}:
        return shared_task(base=options["base"])(args[0])
    return shared_task(*args, **options)


def send_after_commit(task: Task, establishment: Establishment, *args, **kwargs) -> None:
    """Queues ``task(establishment.pk, *args)`` once the current transaction commits (at once outside one)."""
    establishment_id = establishment.pk
    transaction.on_commit(lambda: task.delay(establishment_id, *args, **kwargs))
