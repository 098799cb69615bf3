"""The portfolio des activités en entreprise (issue 13): the fiches activités a learner writes on a placement.

Imported at the end of ``periods.models``. The company and the tutor are fields of ``Placement``; the
competencies selected for the bilan entreprise too (``assessed_competencies`` / ``assessed_criteria``).

- ``ActivityFiche``: what the learner did, the tasks ticked (of the period's référentiel version), reviewed by the
  referent teacher (comment, tasks adjusted). Learner data.
- ``FicheAttachment``: an optional file of a fiche, checked by ``documents.uploads``, stored privately under
  ``MEDIA_ROOT/portfolios/<UAI>/``. Learner data (the purge deletes the file).
"""

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data
from establishments.scoping import EstablishmentOwned


def _detach_fiche(queryset, moves) -> int:
    """A fiche moves with its learner; the old school's teacher who reviewed it stays behind (kept as text)."""
    return moves.in_place(reviewed_by=None)


@learner_data(learner="placement__learner", move=_detach_fiche)
class ActivityFiche(EstablishmentOwned):
    placement = models.ForeignKey("periods.Placement", on_delete=models.CASCADE, related_name="fiches",
                                  verbose_name="apprenant en entreprise")
    title = models.CharField("titre", max_length=255)
    date = models.DateField("date", null=True, blank=True)
    description = models.TextField("ce que j'ai fait")
    tasks = models.ManyToManyField("referentiels.Task", related_name="+", blank=True, verbose_name="tâches")
    teacher_comment = models.TextField("commentaire de l'enseignant", blank=True)
    reviewed_at = models.DateTimeField("relue le", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="relue par")
    reviewed_by_name = models.CharField("relue par", max_length=300, blank=True)
    created_at = models.DateTimeField("écrite le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # The token of the form that created it: a second POST of the same form finds this fiche.
    creation_token = models.CharField("jeton de création", max_length=64, blank=True)

    class Meta:
        ordering = ["placement_id", "date", "id"]
        verbose_name = "fiche activité"
        verbose_name_plural = "fiches activités"
        constraints = [
            models.UniqueConstraint(fields=["placement", "creation_token"], condition=~models.Q(creation_token=""),
                                    name="fiche_creation_token_unique"),
        ]

    def __str__(self) -> str:
        return self.title


@learner_data(learner="fiche__placement__learner")
class FicheAttachment(EstablishmentOwned):
    fiche = models.ForeignKey(ActivityFiche, on_delete=models.CASCADE, related_name="attachments",
                              verbose_name="fiche")
    title = models.CharField("titre", max_length=255)
    file = models.FileField("fichier", max_length=300)
    size = models.PositiveIntegerField("taille", default=0)
    content_type = models.CharField("type", max_length=120)
    created_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        ordering = ["fiche_id", "id"]
        verbose_name = "fichier d'une fiche activité"
        verbose_name_plural = "fichiers des fiches activités"

    def __str__(self) -> str:
        return self.title
