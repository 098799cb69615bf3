"""Actions on an establishment's référentiel data: subscriptions (platform staff) and cohorts (DDFPT, chef)."""

from django.db import transaction

from establishments import audit
from establishments.models import Division, Establishment

from .establishment_models import Cohort, Subscription
from .models import ClassLevel, Diploma, ReferentielVersion


class CohortError(Exception):
    """A change of cohort refused, with its French message."""


def subscribe(establishment: Establishment, diploma: Diploma) -> Subscription:
    """Idempotent: the establishment subscribes to ``diploma``."""
    subscription, _ = Subscription.objects.get_or_create(establishment=establishment, diploma=diploma)
    return subscription


@transaction.atomic
def cohort_change(*, establishment: Establishment, actor, division: Division, version_id: int,
                  class_level: str) -> Cohort:
    """« Classes et diplômes »: a person ties ``division`` to a version of a subscribed diploma and a level.

    The cohort is then marked as chosen: the next imports propose nothing for it."""
    version = (ReferentielVersion.objects.select_related("diploma")
               .filter(pk=version_id, diploma__subscriptions__establishment=establishment).first())
    if version is None:
        raise CohortError("Choisissez une version d'un diplôme auquel l'établissement est abonné.")
    if class_level and class_level not in ClassLevel.values:
        raise CohortError("Ce niveau de classe est inconnu.")
    cohort = Cohort.objects.filter(establishment=establishment, division=division).select_related(
        "version").first()
    before = (f"{cohort.version.label} ({cohort.get_class_level_display() or 'niveau non précisé'})"
              if cohort else "aucun diplôme")
    name = audit.actor_display(actor)[:300]
    if cohort is None:
        cohort = Cohort(establishment=establishment, division=division)
    cohort.version, cohort.class_level = version, class_level
    cohort.source, cohort.updated_by_name = Cohort.Source.CHOSEN, name
    cohort.save()
    after = f"{version.label} ({cohort.get_class_level_display() or 'niveau non précisé'})"
    audit.record(establishment, actor, "cohort.change", f"Classe {division.code}", {"avant": before, "après": after})
    return cohort
