"""A document built in the background: a private file of one establishment, for its owner only, until it expires."""

import secrets

from django.conf import settings
from django.db import models

from accounts.learner_data import not_learner_data
from establishments.scoping import EstablishmentOwned


def document_path(document: "GeneratedDocument", filename: str) -> str:
    """``documents/<UAI>/<random>-<name>``: the random part keeps names unguessable and never reused. The files are
    never served by the web server (keep ``MEDIA_ROOT/documents/`` out of any public media location)."""
    return f"documents/{document.establishment.uai}/{secrets.token_hex(16)}-{filename}"


@not_learner_data("document temporaire préparé pour son propriétaire : il expire sous quelques jours, n'est pas "
                  "transféré et disparaît avec l'utilisateur (la tâche quotidienne retire alors son fichier)")
class GeneratedDocument(EstablishmentOwned):
    class Status(models.TextChoices):
        PENDING = "pending", "En préparation"
        READY = "ready", "Prêt"
        FAILED = "failed", "Échec"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents",
                              verbose_name="propriétaire")
    kind = models.CharField("type", max_length=100)  # the producer's name, e.g. "learner_access.pdf"
    title = models.CharField("titre", max_length=200)
    params = models.JSONField("paramètres", default=dict, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField("fichier", upload_to=document_path, max_length=300, blank=True)
    filename = models.CharField("nom du fichier", max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField("taille", default=0)
    error = models.CharField("erreur", max_length=300, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le", db_index=True)

    class Meta:
        verbose_name = "document préparé"
        verbose_name_plural = "documents préparés"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["establishment", "owner", "-created_at"])]

    def __str__(self):
        return self.title
