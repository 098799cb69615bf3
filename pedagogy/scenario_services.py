"""Actions on teaching scenarios: create, save (with optimistic concurrency), duplicate, delete, share, import.

Links go to the référentiel rows of the scenario's version by key. A save names the revision its form was opened
at: if someone saved in between, nothing is written and ``StaleScenario`` says what changed. Creation, duplication
and import are safe against a double click: one form (its token) or one received share gives one scenario.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from establishments import audit
from establishments.models import Establishment
from establishments.scoping import scope
from establishments.validators import is_valid_uai, normalize_uai, validate_uai
from referentiels.establishment_models import Subscription

from . import scenario_uses
from .models import Scenario, ScenarioResource, ScenarioShare

TEXT_FIELDS = ("title", "co_intervention", "situation", "equipment", "training_spaces")
LINK_FIELDS = ("tasks", "competencies", "criteria", "transversal_competencies")
FIELD_NAMES = {"title": "Titre", "co_intervention": "Co-intervention", "situation": "Situation professionnelle",
               "equipment": "Équipements et logiciels", "training_spaces": "Espaces de formation",
               "tasks": "Tâches", "competencies": "Compétences", "criteria": "Critères de réussite",
               "transversal_competencies": "Compétences transversales", "co_authors": "Co-auteurs"}


class ScenarioError(Exception):
    """A refusal with a French message (``field`` names the form field it belongs to, when it does)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleScenario(ScenarioError):
    def __init__(self, message: str, changed: list[str]):
        super().__init__(message)
        self.changed = changed


# Resources of other kinds than links are copied by pedagogy.resources (files), registered here.
_file_copiers: list[Callable[[ScenarioResource, Scenario], None]] = []


def register_file_resource_copier(fn: Callable[[ScenarioResource, Scenario], None]):
    """``fn(resource, target_scenario)`` copies one file resource to ``target_scenario`` (same establishment)."""
    _file_copiers.append(fn)
    return fn


# Files travelling with a shared scenario are copied into the receiver's private folder by pedagogy.resources:
# ``fn(resource, recipient) -> {"title", "file_path", "content_type", "size"}`` (``None``: the file is gone).
_share_file_copiers: list[Callable] = []


def register_share_file_copier(fn: Callable):
    _share_file_copiers.append(fn)
    return fn


def _name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.login


def _set_links(scenario: Scenario, data: dict) -> None:
    for name in LINK_FIELDS:
        if name in data:
            getattr(scenario, name).set(data[name])


@transaction.atomic
def create_scenario(*, establishment: Establishment, actor: User, version, class_level: str, data: dict,
                    co_authors=(), token: str = "") -> tuple[Scenario, bool]:
    """A new scenario written by ``actor`` (and ``co_authors``). ``token``: the form's; a second POST of the same
    form returns the scenario the first made (``created`` False)."""
    if token:
        existing = Scenario.objects.filter(establishment=establishment, creation_token=token).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(
                establishment=establishment, version=version, class_level=class_level, created_by=actor,
                updated_by_name=_name(actor), creation_token=token,
                **{name: data[name] for name in TEXT_FIELDS if name in data})
    except IntegrityError:  # the same token, committed by a concurrent request in between
        return Scenario.objects.get(establishment=establishment, creation_token=token), False
    scenario.authors.set({actor.pk, *(u.pk for u in co_authors)})
    _set_links(scenario, data)
    audit.record(establishment, actor, "scenario.create", scenario.title,
                 {"niveau": scenario.get_class_level_display()})
    return scenario, True


def _current(scenario: Scenario) -> dict:
    values = {name: getattr(scenario, name) for name in TEXT_FIELDS}
    for name in LINK_FIELDS:
        values[name] = set(getattr(scenario, name).values_list("pk", flat=True))
    return values


def _describe_change(name: str, value) -> str:
    """« Titre, désormais « Câblage… » », « Tâches, désormais 3 éléments liés »."""
    if name in LINK_FIELDS:
        return f"{FIELD_NAMES[name]}, désormais {len(value)} élément(s) lié(s)"
    if isinstance(value, bool):
        return f"{FIELD_NAMES[name]}, désormais {'oui' if value else 'non'}"
    short = value if len(value) <= 80 else value[:79] + "…"
    return f"{FIELD_NAMES[name]}, désormais « {short} »" if short else f"{FIELD_NAMES[name]}, désormais vide"


@transaction.atomic
def save_scenario(*, scenario: Scenario, actor: User, revision: int, data: dict, co_authors=None) -> Scenario:
    """Writes the form of ``revision``. If the scenario was saved since (its revision moved), nothing is
    written: ``StaleScenario`` names the parts the other save changed compared with this form."""
    updated = Scenario.objects.filter(pk=scenario.pk, revision=revision).update(
        revision=F("revision") + 1, updated_at=timezone.now(), updated_by_name=_name(actor),
        **{name: data[name] for name in TEXT_FIELDS if name in data})
    if not updated:
        fresh = Scenario.objects.get(pk=scenario.pk)
        current = _current(fresh)
        changed = [name for name in (*TEXT_FIELDS, *LINK_FIELDS) if name in data and (
            set(data[name]) if name in LINK_FIELDS else data[name]) != current[name]]
        detail = f" : {' ; '.join(_describe_change(name, current[name]) for name in changed)}" if changed else ""
        raise StaleScenario(
            f"Ce scénario a été modifié par {fresh.updated_by_name or 'un autre utilisateur'} le "
            f"{timezone.localtime(fresh.updated_at):%d/%m/%Y à %H:%M} depuis que vous l'avez ouvert{detail}. Vos "
            "modifications n'ont pas été enregistrées : rechargez le scénario pour voir la version actuelle, "
            "puis reportez-y vos changements.", [FIELD_NAMES[name] for name in changed])
    scenario.refresh_from_db()
    _set_links(scenario, data)
    if co_authors is not None:
        authors = {scenario.created_by_id} - {None} | {u.pk for u in co_authors}
        scenario.authors.set(authors or {actor.pk})
    return scenario


def _copy_resources(source: Scenario, target: Scenario) -> None:
    for resource in source.resources.all():
        if resource.kind == ScenarioResource.Kind.LINK:
            ScenarioResource.objects.create(establishment=target.establishment, scenario=target, kind=resource.kind,
                                            title=resource.title, url=resource.url, position=resource.position)
        else:
            for copier in _file_copiers:
                copier(resource, target)


@transaction.atomic
def duplicate_scenario(*, scenario: Scenario, actor: User, class_level: str, token: str = "") -> tuple[Scenario,
                                                                                                        bool]:
    """A copy of ``scenario`` for ``class_level`` (same diploma version, same links), written by ``actor``."""
    data = {name: getattr(scenario, name) for name in TEXT_FIELDS}
    data["title"] = f"{scenario.title} (copie)"
    for name in LINK_FIELDS:
        data[name] = list(getattr(scenario, name).values_list("pk", flat=True))
    copy, created = create_scenario(establishment=scenario.establishment, actor=actor, version=scenario.version,
                                    class_level=class_level, data=data, token=token)
    if created:
        copy.origin_uai, copy.origin_establishment_name = scenario.origin_uai, scenario.origin_establishment_name
        copy.origin_title = scenario.origin_title
        copy.save(update_fields=["origin_uai", "origin_establishment_name", "origin_title"])
        _copy_resources(scenario, copy)
        audit.record(scenario.establishment, actor, "scenario.duplicate", copy.title,
                     {"copie de": scenario.title, "niveau": copy.get_class_level_display()})
    return copy, created


@transaction.atomic
def delete_scenario(*, scenario: Scenario, actor: User | None = None) -> None:
    uses = scenario_uses.uses_of([scenario.pk]).get(scenario.pk, {})
    if uses:
        raise ScenarioError(f"Ce scénario ne peut pas être supprimé : il est utilisé par "
                            f"{scenario_uses.describe(uses)}.")
    audit.record(scenario.establishment, actor, "scenario.delete", scenario.title,
                 {"niveau": scenario.get_class_level_display(), "ressources": scenario.resources.count()})
    scenario.delete()


@dataclass
class ShareResult:
    share: ScenarioShare
    recipient: Establishment


def find_recipient(*, scenario: Scenario, uai: str) -> Establishment:
    """The establishment ``uai`` names, if it may receive ``scenario``; else ScenarioError on the ``uai`` field."""
    uai = normalize_uai(uai)
    if not is_valid_uai(uai):
        from django.core.exceptions import ValidationError

        try:
            validate_uai(uai)
        except ValidationError as error:
            raise ScenarioError(error.messages[0], "uai") from None
    if uai == scenario.establishment.uai:
        raise ScenarioError("C'est l'UAI de votre propre établissement : dupliquez le scénario plutôt.", "uai")
    recipient = Establishment.objects.filter(uai=uai, is_active=True).first()
    if recipient is None:
        raise ScenarioError(f"Aucun établissement utilisant CPro n'a l'UAI {uai}.", "uai")
    diploma = scenario.version.diploma
    with scope(establishment=recipient):  # the receiver's subscriptions are the receiver's data
        subscribed = Subscription.objects.filter(establishment=recipient, diploma=diploma).exists()
    if not subscribed:
        raise ScenarioError(f"L'établissement {uai} n'est pas abonné au diplôme {diploma.code} : il ne peut pas "
                            "recevoir ce scénario.", "uai")
    return recipient


def snapshot(scenario: Scenario, recipient: Establishment | None = None) -> dict:
    """The scenario as it travels to another establishment: text, référentiel keys, resources. Links travel as
    they are; files are copied into ``recipient``'s private folder (the sender's files are never read by the
    receiver). No learner, no user."""
    data = {name: getattr(scenario, name) for name in TEXT_FIELDS}
    for name in LINK_FIELDS:
        data[name] = sorted(getattr(scenario, name).values_list("pk", flat=True))
    data["resources"] = []
    for resource in scenario.resources.all():
        if resource.kind == ScenarioResource.Kind.LINK:
            data["resources"].append({"title": resource.title, "url": resource.url})
        elif recipient is not None:
            for copier in _share_file_copiers:
                copied = copier(resource, recipient)
                if copied:
                    data["resources"].append(copied)
    return data


@transaction.atomic
def share_scenario(*, scenario: Scenario, actor: User, uai: str) -> ShareResult:
    recipient = find_recipient(scenario=scenario, uai=uai)
    sender = scenario.establishment
    content = snapshot(scenario, recipient)
    try:
        with transaction.atomic():
            share = ScenarioShare.objects.create(
                establishment=recipient, from_establishment=sender, from_scenario_id=scenario.pk,
                from_uai=sender.uai, from_name=sender.name, sent_by_name=_name(actor), title=scenario.title,
                version=scenario.version, class_level=scenario.class_level, snapshot=content)
    except Exception:
        for resource in content["resources"]:  # files copied for a share that was not made
            if resource.get("file_path"):
                default_storage.delete(resource["file_path"])
        raise
    audit.record(sender, actor, "scenario.share", scenario.title, {"envoyé à": f"{recipient.uai} {recipient.name}"})
    return ShareResult(share=share, recipient=recipient)


@transaction.atomic
def import_share(*, share: ScenarioShare, actor: User) -> tuple[Scenario, bool]:
    """A copy of a received scenario in the receiving establishment; done once (a second click finds it)."""
    taken = ScenarioShare.objects.filter(pk=share.pk, status=ScenarioShare.Status.PENDING).update(
        status=ScenarioShare.Status.IMPORTED, imported_at=timezone.now())
    if not taken:
        share.refresh_from_db()
        if share.imported_scenario_id:
            return share.imported_scenario, False
        raise ScenarioError("Ce scénario a déjà été importé.")
    data = dict(share.snapshot)
    resources = data.pop("resources", [])
    scenario, _ = create_scenario(establishment=share.establishment, actor=actor, version=share.version,
                                  class_level=share.class_level, data=data)
    scenario.origin_uai, scenario.origin_establishment_name = share.from_uai, share.from_name
    scenario.origin_title = share.title
    scenario.save(update_fields=["origin_uai", "origin_establishment_name", "origin_title"])
    folder = f"scenarios/{share.establishment.uai}/"
    for position, resource in enumerate(resources):
        if resource.get("file_path"):  # copied into this establishment's folder when it was sent
            if not resource["file_path"].startswith(folder):
                continue
            ScenarioResource.objects.create(
                establishment=scenario.establishment, scenario=scenario, kind=ScenarioResource.Kind.FILE,
                title=resource["title"], file_path=resource["file_path"], size=resource.get("size"),
                content_type=resource.get("content_type", ""), position=position)
        else:
            ScenarioResource.objects.create(establishment=scenario.establishment, scenario=scenario,
                                            kind=ScenarioResource.Kind.LINK, title=resource["title"],
                                            url=resource["url"], position=position)
    ScenarioShare.objects.filter(pk=share.pk).update(imported_scenario=scenario)
    audit.record(share.establishment, actor, "scenario.import", scenario.title,
                 {"reçu de": f"{share.from_uai} {share.from_name}"})
    return scenario, True
