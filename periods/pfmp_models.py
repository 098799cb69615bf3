"""Settings of the work periods (imported at the end of ``periods.models``).

- ``WeeksMinimum``: the weeks in companies a learner must have done over the cycle of a diploma (Bac Pro 22
  weeks, CAP 12 to 16…), set per establishment and diploma; without a row, the national default of the diploma's
  kind applies (``default_weeks``).
"""

from django.db import models

from accounts.learner_data import not_learner_data
from establishments.scoping import EstablishmentOwned

# National minimum (and maximum) of weeks in companies over the cycle, by kind of diploma.
DEFAULT_WEEKS = {"BAC_PRO": (22, 22), "FAMILLE": (22, 22), "CAP": (12, 16), "MC": (12, 16), "BTS": (8, 16)}
DAYS_PER_WEEK = 5


def default_weeks(diploma_kind: str) -> tuple[int, int]:
    return DEFAULT_WEEKS.get(diploma_kind, (0, 0))


@not_learner_data("réglage de l'établissement par diplôme ; aucune donnée d'apprenant")
class WeeksMinimum(EstablishmentOwned):
    diploma = models.ForeignKey("referentiels.Diploma", on_delete=models.CASCADE, related_name="+",
                                verbose_name="diplôme")
    min_weeks = models.PositiveSmallIntegerField("semaines minimum sur le cycle")
    max_weeks = models.PositiveSmallIntegerField("semaines maximum sur le cycle", null=True, blank=True)

    class Meta:
        ordering = ["diploma__code"]
        verbose_name = "durée minimale en entreprise"
        verbose_name_plural = "durées minimales en entreprise"
        constraints = [models.UniqueConstraint(fields=["establishment", "diploma"], name="weeks_minimum_unique")]

    def __str__(self) -> str:
        return f"{self.diploma_id} : {self.min_weeks} semaines"
