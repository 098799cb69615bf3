"""The learners' book (« book des apprenants », issue 14): achievements, their files, the teachers' comments.

Imported at the end of ``pedagogy.models``. Every row is the learner's data (moved by a transfer, deleted by the
RGPD purge); services and pages live in ``pedagogy.book`` and ``pedagogy.views_book``.

- ``Achievement``: one réussite recorded by the learner — in a company or at school —, with its title, date,
  context, what they did and the tasks of their référentiel version; ``for_passport`` marks the ones they picked
  for the passeport professionnel.
- ``AchievementFile``: a photo or a document attached to it, checked like every upload (``documents.uploads``),
  stored privately under ``MEDIA_ROOT/book/<UAI>/``.
- ``AchievementComment``: a comment of a teacher of the learner's class.
"""

from django.conf import settings
from django.db import models

from accounts.learner_data import learner_data
from establishments.scoping import EstablishmentOwned


@learner_data()
class Achievement(EstablishmentOwned):
    class Setting(models.TextChoices):
        COMPANY = "entreprise", "En entreprise"
        SCHOOL = "etablissement", "À l'établissement"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements",
                                verbose_name="apprenant")
    title = models.CharField("titre", max_length=200)
    date = models.DateField("date")
    setting = models.CharField("lieu", max_length=15, choices=Setting.choices, default=Setting.SCHOOL)
    context = models.TextField("contexte", blank=True)
    actions = models.TextField("ce que j'ai fait", blank=True)
    version = models.ForeignKey("referentiels.ReferentielVersion", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="version du référentiel")
    tasks = models.ManyToManyField("referentiels.Task", related_name="+", blank=True,
                                   verbose_name="tâches du référentiel")
    for_passport = models.BooleanField("retenue pour le passeport", default=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # The token of the form that created it: a second POST of the same form finds this achievement.
    creation_token = models.CharField("jeton de création", max_length=64, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "réussite du book"
        verbose_name_plural = "réussites du book"
        indexes = [models.Index(fields=["establishment", "learner", "date"], name="achievement_learner_idx")]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "creation_token"], condition=~models.Q(creation_token=""),
                                    name="achievement_creation_token_unique"),
        ]

    def __str__(self) -> str:
        return self.title


def achievement_file_path(instance: "AchievementFile", filename: str) -> str:
    return filename  # the service chooses the whole name (book/<UAI>/<uuid>.<ext>)


@learner_data(learner="achievement__learner")
class AchievementFile(EstablishmentOwned):
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="files",
                                    verbose_name="réussite")
    title = models.CharField("titre", max_length=255)
    file = models.FileField("fichier", upload_to=achievement_file_path, max_length=500)
    size = models.PositiveBigIntegerField("taille", default=0)
    content_type = models.CharField("type de contenu", max_length=100)
    created_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        ordering = ["achievement_id", "id"]
        verbose_name = "fichier d'une réussite"
        verbose_name_plural = "fichiers des réussites"

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/png", "image/jpeg")


def _detach_comment(queryset, moves) -> int:
    """A comment moves with the book; its author, a teacher of the old school, stays behind (name kept as text)."""
    return moves.in_place(author=None)


@learner_data(learner="achievement__learner", move=_detach_comment)
class AchievementComment(EstablishmentOwned):
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="comments",
                                    verbose_name="réussite")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="auteur")
    author_name = models.CharField("auteur", max_length=300)
    text = models.TextField("commentaire")
    created_at = models.DateTimeField("écrit le", auto_now_add=True)

    class Meta:
        ordering = ["achievement_id", "created_at", "id"]
        verbose_name = "commentaire d'une réussite"
        verbose_name_plural = "commentaires des réussites"

    def __str__(self) -> str:
        return f"{self.author_name} · {self.achievement_id}"
