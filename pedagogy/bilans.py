"""Writing bilans intermédiaires: save a draft, validate (a frozen snapshot), reopen (journaled).

- ``save(sheet, …)``: the teacher's retained levels and appreciation. Every line stores the retained level and the
  level proposed at that moment, so a draft keeps the teacher's differences from the proposal as their choice.
  With ``validate=True`` the bilan becomes « validé »: the lines are the snapshot (retained and proposed levels,
  observation counts at validation time); later observations never change it.
- Every change carries the ``revision`` the form was loaded with: a stale form (someone saved in between) is
  refused with ``StaleBilan`` and nothing is written. Validating twice (a double click) validates once: the second
  call finds the bilan validated and does nothing.
- ``reopen(bilan, …)``: back to « brouillon », only by its author or the DDFPT, written to the journal.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from establishments import audit

from .bilan_selectors import Sheet, may_reopen
from .evaluation_models import Bilan, BilanLine, Level

STALE_MESSAGE = ("Ce bilan a été modifié depuis que vous l'avez ouvert (par vous dans un autre onglet ou par un "
                 "collègue). Vos changements n'ont pas été enregistrés : voici la version actuelle.")
FROZEN_MESSAGE = ("Ce bilan est validé : il ne peut plus être modifié. Son auteur ou le DDFPT peut le rouvrir.")
ALREADY_VALIDATED = "Ce bilan était déjà validé : rien n'a changé."
MAX_APPRECIATION = 4000


class StaleBilan(Exception):
    pass


class FrozenBilan(Exception):
    pass


def _target(bilan: Bilan) -> str:
    return f"{bilan.learner.full_name} — {bilan.period_label}"


@transaction.atomic
def save(sheet: Sheet, *, actor, levels: dict[int, int], appreciation: str, revision: int,
         validate: bool = False) -> tuple[Bilan, bool]:
    """Writes the bilan of ``sheet`` (its learner and period); returns ``(bilan, changed)``.

    ``levels``: ``{competency_id: level}`` for every competency of the sheet. Raises ``StaleBilan`` when the bilan
    changed since ``revision``, ``FrozenBilan`` when it is validated (except for a repeated validation, which does
    nothing and returns ``changed=False``), ``ValidationError`` for a level outside the scale.
    """
    expected = {row.competency.pk for row in sheet.rows}
    if set(levels) != expected:
        raise ValidationError("Le bilan doit donner un niveau pour chaque compétence de la liste.")
    if any(level not in Level.values for level in levels.values()):
        raise ValidationError("Niveau hors de l'échelle (NE, 1 à 4).")
    if len(appreciation) > MAX_APPRECIATION:
        raise ValidationError(f"L'appréciation dépasse {MAX_APPRECIATION} caractères.")
    learner, period = sheet.learner, sheet.period
    bilan = (Bilan.objects.select_for_update()
             .filter(establishment=learner.establishment_id, period=period, learner=learner).first())
    now = timezone.now()
    if bilan is None:
        if revision != 0:
            raise StaleBilan(STALE_MESSAGE)
        bilan = Bilan(establishment_id=learner.establishment_id, learner=learner, period=period,
                      period_label=period.label, period_start=period.start_date, period_end=period.end_date,
                      version=sheet.version, author=actor, author_name=actor.full_name, revision=0)
        try:
            with transaction.atomic():
                bilan.save(force_insert=True)
        except IntegrityError:  # another request created it meanwhile
            raise StaleBilan(STALE_MESSAGE) from None
    else:
        if bilan.status == Bilan.Status.VALIDATED:
            if validate:
                return bilan, False  # a double click: validated once
            raise FrozenBilan(FROZEN_MESSAGE)
        if bilan.revision != revision:
            raise StaleBilan(STALE_MESSAGE)
    BilanLine.objects.filter(bilan=bilan).delete()
    BilanLine.objects.bulk_create([
        BilanLine(establishment_id=bilan.establishment_id, bilan=bilan, competency=row.competency,
                  proposed_level=row.proposed, retained_level=levels[row.competency.pk],
                  observation_count=row.observation_count)
        for row in sheet.rows])
    bilan.appreciation = appreciation
    bilan.version = sheet.version  # the class may have moved to another version since the draft
    bilan.revision += 1
    fields = ["appreciation", "version", "revision", "updated_at"]
    if validate:
        bilan.status = Bilan.Status.VALIDATED
        bilan.validated_at, bilan.validated_by, bilan.validated_by_name = now, actor, actor.full_name
        fields += ["status", "validated_at", "validated_by", "validated_by_name"]
        audit.record(learner.establishment, actor, "bilan.validate", _target(bilan),
                     {"apprenant": learner.full_name, "période": period.label,
                      "compétences": len(sheet.rows),
                      "choix de l'enseignant": sum(1 for row in sheet.rows
                                                   if levels[row.competency.pk] != (row.proposed or Level.NE))})
    bilan.save(update_fields=fields)
    return bilan, True


@transaction.atomic
def reopen(bilan: Bilan, *, actor, revision: int) -> bool:
    """Back to « brouillon » (its lines kept as the teacher's choices). Returns whether it changed anything."""
    locked = Bilan.objects.select_for_update().select_related("learner").get(pk=bilan.pk)
    if locked.status == Bilan.Status.DRAFT:
        return False  # already reopened (a double click)
    if not may_reopen(actor, locked):
        raise PermissionDenied("Seul l'auteur du bilan ou le DDFPT peut le rouvrir.")
    if locked.revision != revision:
        raise StaleBilan(STALE_MESSAGE)
    locked.status = Bilan.Status.DRAFT
    locked.revision += 1
    validated_by = locked.validated_by_name
    locked.validated_at, locked.validated_by, locked.validated_by_name = None, None, ""
    locked.save(update_fields=["status", "revision", "validated_at", "validated_by", "validated_by_name",
                               "updated_at"])
    audit.record(locked.learner.establishment, actor, "bilan.reopen", _target(locked),
                 {"apprenant": locked.learner.full_name, "période": locked.period_label,
                  "validé par": validated_by})
    bilan.status, bilan.revision = locked.status, locked.revision
    return True
