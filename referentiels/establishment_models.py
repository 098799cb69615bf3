"""Establishment data standing on the national référentiels: subscriptions and cohorts.

Imported at the end of ``referentiels.models`` (Django finds an app's models there). Both inherit
``EstablishmentOwned``: queries run inside the establishment's scope.

- ``Subscription``: an establishment subscribes to a diploma (set by the platform staff in ``/plateforme/``); it
  then sees every version of it (a cohort may still be on the older one).
- ``Cohort``: a class (``Division``) tied to a diploma version and a class level. Proposed after each SIECLE
  import from its learners' MEF codes (``referentiels.cohorts``), changed by the DDFPT or the chef
  d'établissement on « Classes et diplômes ». A cohort keeps its version when a newer one is loaded: only a change
  of diploma, or a person, moves it to another version.
"""

from django.db import models

from establishments.scoping import EstablishmentOwned

from .models import ClassLevel, Diploma, ReferentielVersion


class Subscription(EstablishmentOwned):
    diploma = models.ForeignKey(Diploma, on_delete=models.PROTECT, related_name="subscriptions",
                                verbose_name="diplôme")
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        ordering = ["diploma__code"]
        verbose_name = "abonnement"
        constraints = [models.UniqueConstraint(fields=["establishment", "diploma"], name="subscription_unique")]

    def __str__(self):
        return f"{self.diploma.code}"


class Cohort(EstablishmentOwned):
    class Source(models.TextChoices):
        PROPOSED = "propose", "Proposé d'après les codes MEF"
        CHOSEN = "choisi", "Choisi"

    division = models.OneToOneField("establishments.Division", on_delete=models.CASCADE, related_name="cohort",
                                    verbose_name="classe")
    version = models.ForeignKey(ReferentielVersion, on_delete=models.PROTECT, related_name="cohorts",
                                verbose_name="version du référentiel")
    class_level = models.CharField("niveau", max_length=4, choices=ClassLevel.choices, blank=True)
    source = models.CharField("origine", max_length=10, choices=Source.choices, default=Source.PROPOSED)
    # The MEF codes of the class's learners that matched the diploma at the last proposal.
    mef_codes = models.JSONField("codes MEF", default=list, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by_name = models.CharField("modifié par", max_length=300, blank=True)

    class Meta:
        ordering = ["division__code"]
        verbose_name = "cohorte"

    def __str__(self):
        return f"{self.division_id} → {self.version_id}"
