"""Learner data as the real modules will declare it: a direct link, a child row, a custom move, a file."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data, not_learner_data
from establishments.scoping import EstablishmentOwned


@learner_data()
class Achievement(EstablishmentOwned):
    """Like a book entry: owned by the learner, with an attached file."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=100)
    attachment = models.FileField(upload_to="testapp/", blank=True)


@learner_data(learner="achievement__learner")
class AchievementComment(EstablishmentOwned):
    """A child row, reached through its parent's learner."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="comments")
    text = models.CharField(max_length=100)


def move_assessments(queryset, moves) -> int:
    """The old school's teacher does not follow the learner: the link is dropped, the name kept.

    ``queryset``: the assessments of every origin learner of the transfer's batch; ``moves``: its pairs and
    ``in_place``, the default move (one statement for the batch) plus the values given.

    Test hook: when the file named by ``CPRO_TESTAPP_PAUSE_FILE`` exists, it is removed (so the pause happens
    once) and the transfer sleeps here, inside its transaction, after writing its pid next to it
    (``<file>.paused``); the worker test kills the process during that sleep.
    """
    moved = moves.in_place(teacher=None)
    pause_file = os.environ.get("CPRO_TESTAPP_PAUSE_FILE")
    if pause_file and os.path.exists(pause_file):
        os.remove(pause_file)
        Path(f"{pause_file}.paused").write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("CPRO_TESTAPP_PAUSE_SECONDS", "120")))
    return moved


@learner_data(move=move_assessments)
class Assessment(EstablishmentOwned):
    """Like an evaluation: the learner's level, given by a teacher of the establishment."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    teacher_name = models.CharField(max_length=100, blank=True)
    level = models.PositiveSmallIntegerField()


@not_learner_data("l'auteur est un enseignant ; la ressource appartient à l'établissement et protège son compte")
class Lesson(EstablishmentOwned):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=100)
