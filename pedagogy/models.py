"""Pedagogy data: for now the scenario form mask (Paramètres › Masque de saisie)."""

from django.db import models

from establishments.scoping import EstablishmentOwned


class ScenarioField(models.TextChoices):
    """Fields of the scenario form whose label an establishment may rename (Paramètres › Masque de saisie).

    The second member of each pair is the product's default label.
    """

    TITLE = "title", "Titre"
    CONTEXT = "context", "Contexte"
    REFERENTIAL_LINK = "referential_link", "Liaison avec le référentiel"
    TRANSVERSAL_LINK = "transversal_link", "Liaison avec les compétences transversales"
    RESOURCES = "resources", "Ressources"


class ScenarioFieldLabel(EstablishmentOwned):
    """An establishment's own label for one field of the scenario form, for one diploma.

    Only renamed labels are stored; a missing row means the default. Read them through
    ``pedagogy.selectors.scenario_field_label``.
    """

    diploma_code = models.CharField("diplôme", max_length=40)
    field = models.CharField("champ", max_length=30, choices=ScenarioField.choices)
    label = models.CharField("intitulé", max_length=120)

    class Meta:
        db_table = "establishments_scenariofieldlabel"  # the table keeps the name it was born with
        verbose_name = "intitulé du masque de saisie"
        verbose_name_plural = "intitulés du masque de saisie"
        ordering = ["diploma_code", "field"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "diploma_code", "field"],
                                    name="scenario_field_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.diploma_code} · {self.get_field_display()} → {self.label}"
