"""Grilles de positionnement (issue 12): what a grid adds to the shared evidence model.

Imported at the end of ``pedagogy.models``. A grid's cells are ``Observation`` rows (``pedagogy.grids``); the
comment a teacher writes about one learner on one grid (not about one cell) is a ``GridNote``.
"""

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data
from establishments.scoping import EstablishmentOwned

from .evaluation_models import Grid


def _detach_note(queryset, moves) -> int:
    """A note moves with its learner; the old school's grid stays behind (the source is kept as text)."""
    return moves.in_place(grid=None)


@learner_data(move=_detach_note)
class GridNote(EstablishmentOwned):
    """The comment on one learner of one grid (« commentaire pour l'apprenant »)."""

    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.CASCADE, related_name="notes",
                             verbose_name="grille")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_notes",
                                verbose_name="apprenant")
    comment = models.TextField("commentaire", blank=True)
    source_label = models.CharField("source", max_length=300, blank=True)
    revision = models.PositiveIntegerField("révision", default=1)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["grid_id", "learner_id"]
        verbose_name = "commentaire d'une grille"
        verbose_name_plural = "commentaires des grilles"
        constraints = [
            models.UniqueConstraint(fields=["grid", "learner"], condition=models.Q(grid__isnull=False),
                                    name="grid_note_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} · {self.learner_id}"
