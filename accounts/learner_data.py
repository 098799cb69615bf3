"""The one list of learner-owned data: what the INE transfer moves and the RGPD purge deletes.

It lives with the users, not with the jobs: each app declares its models where it defines them, without
importing the daily jobs (``transfers`` consumes this registry, nothing here imports it)::

    from accounts.learner_data import learner_data, not_learner_data

    @learner_data()                              # rows point to the learner through ``learner``
    class Evaluation(EstablishmentOwned): ...

    @learner_data(learner="evaluation__learner")  # child rows: reached through their parent
    class EvaluationCell(EstablishmentOwned): ...

    @not_learner_data("l'auteur est un enseignant, pas l'apprenant")
    class Scenario(EstablishmentOwned): ...

How rows move: the transfer works on batches of learners. By default a model's rows are reassigned in place,
one statement per batch: ``establishment`` becomes the destination's and, for a direct link, the learner field
becomes the destination learner. A model whose rows point to other establishment data (a scenario, a PFMP
period of the old school) passes ``move=`` a function ``(queryset, moves) -> int``: ``queryset`` holds the rows
of every origin learner of the batch, ``moves`` (``LearnerMoves``) the batch's (origin, destination) pairs and
``moves.in_place(**values)``, the default move that also sets ``values`` (``teacher=None`` detaches a teacher of
the old school). It returns the number of rows it moved. Child entries (a ``learner`` path with ``__``) are
moved before direct ones, because their path goes through the parent's learner field, which the move changes.

Every model of the project linked to users — a foreign key or many-to-many to the user model, a foreign key
to a model that is itself linked to users (an evaluation's cells), or an auto-created many-to-many table with a
user column — is either declared here or excluded with a reason; ``undeclared_user_links()`` lists the others
and ``tests/test_registry.py`` fails on them.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models


@dataclass(frozen=True)
class LearnerMoves:
    """One batch of a transfer, as a custom ``move=`` receives it."""

    # (origin learner, destination learner): plain rows with ``pk``, ``establishment_id``, ``ine``, ``mef_code``…
    # (``transfers.services.Learner``), not model instances.
    pairs: Sequence[tuple]
    in_place: Callable[..., int]  # the default move of this model for the batch, plus constant values

    @property
    def origin_ids(self) -> list[int]:
        return [origin.pk for origin, _ in self.pairs]


Mover = Callable[[models.QuerySet, LearnerMoves], int]


@dataclass(frozen=True)
class LearnerData:
    model: type[models.Model]
    learner: str
    move: Mover | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def depth(self) -> int:
        return self.learner.count("__")

    def rows(self, learner_ids: Iterable[int] | models.QuerySet) -> models.QuerySet:
        """The rows of these learners, through the plain manager: the jobs work across establishments."""
        return self.model._base_manager.filter(**{f"{self.learner}__in": learner_ids})

    def file_fields(self) -> list[str]:
        return [f.name for f in self.model._meta.concrete_fields if isinstance(f, models.FileField)]


_REGISTRY: dict[str, LearnerData] = {}

# Models linked to users that are not learner data, with the reason. Apps may also use ``not_learner_data``.
NOT_LEARNER_DATA: dict[str, str] = {
    "accounts.GuardianLink": "recréé par l'import des responsables de l'établissement d'accueil",
    "establishments.AuditEntry": "journal de l'établissement ; l'auteur est copié en clair et le lien mis à NULL",
    "accounts.User_teaching_groups": "groupes de l'établissement d'origine ; l'import de l'établissement "
                                     "d'accueil inscrit l'apprenant dans les siens ; supprimé avec l'utilisateur",
    "accounts.User_divisions_taught": "classes d'un enseignant dans son établissement ; supprimé avec l'utilisateur",
    "accounts.User_groups": "groupes de droits Django des comptes de la plateforme",
    "accounts.User_user_permissions": "droits Django des comptes de la plateforme",
    "imports.ImportRun": "l'auteur de l'import est un administrateur ; le lien est mis à NULL",
    "imports.ImportRunEntry": "compte rendu d'import de l'établissement ; supprimé avec l'utilisateur",
    "transfers.TransferRecord": "historique des transferts propre à chaque établissement",
    "transfers.ManualTransferRequest": "demande de l'établissement d'origine, traitée par la plateforme",
    "pedagogy.Grid_learners": "liste des apprenants d'une grille de l'établissement ; ses observations, elles, "
                              "suivent l'apprenant ; supprimé avec l'utilisateur",
}


def register(model: type[models.Model], *, learner: str = "learner", move: Mover | None = None) -> None:
    label = model._meta.label
    if label in NOT_LEARNER_DATA:
        raise ValueError(f"{label} est à la fois déclaré et exclu des données des apprenants.")
    _REGISTRY[label] = LearnerData(model=model, learner=learner, move=move)


def learner_data(*, learner: str = "learner", move: Mover | None = None):
    """Class decorator: the model's rows belong to a learner; the transfer moves them, the purge deletes them."""

    def decorator(model):
        register(model, learner=learner, move=move)
        return model

    return decorator


def not_learner_data(reason: str):
    """Class decorator: the model points to users, but its rows are not a learner's data (say why)."""
    if not reason.strip():
        raise ValueError("Indiquez pourquoi ce modèle n'appartient pas aux données des apprenants.")

    def decorator(model):
        label = model._meta.label
        if label in _REGISTRY:
            raise ValueError(f"{label} est à la fois déclaré et exclu des données des apprenants.")
        NOT_LEARNER_DATA[label] = reason
        return model

    return decorator


def entries() -> list[LearnerData]:
    """Declared models, children first (see the module docstring), then in declaration order."""
    return sorted(_REGISTRY.values(), key=lambda entry: -entry.depth)


def entry(label: str) -> LearnerData:
    return _REGISTRY[label]


def _label(related_model) -> str:
    # A lazy reference ("accounts.User") stays a string until the related app is loaded.
    return related_model.lower() if isinstance(related_model, str) else related_model._meta.label_lower


def _forward_links(model: type[models.Model]) -> list:
    """Foreign keys, one-to-one and many-to-many fields declared on ``model`` (not the reverse accessors)."""
    return [
        field for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one or field.many_to_many)
        and not field.auto_created and field.related_model is not None
    ]


def _is_decided(model: type[models.Model]) -> bool:
    label = model._meta.label
    return label in _REGISTRY or label in NOT_LEARNER_DATA


def undeclared_user_links(candidates: Iterable[type[models.Model]]) -> dict[str, list[str]]:
    """Models linked to users that are neither declared nor excluded: ``{label: [fields]}``.

    Linked to users: a field to the user model; a foreign key to a model that is itself linked to users or
    declared (its rows reach the learner through that parent: an evaluation's cells), found transitively;
    an auto-created many-to-many table with a user column, unless the model owning that field is declared or
    excluded (its decision covers its own many-to-many fields).
    """
    user_model = settings.AUTH_USER_MODEL.lower()
    candidates = [model for model in candidates if model._meta.label_lower != user_model]
    linked = {_label(m) for m in candidates if any(_label(f.related_model) == user_model for f in _forward_links(m))}
    linked |= {entry.model._meta.label_lower for entry in _REGISTRY.values()}
    while True:  # parents linked to users make their children linked, to any depth
        grown = linked | {
            m._meta.label_lower for m in candidates
            if any((f.many_to_one or f.one_to_one) and _label(f.related_model) in linked for f in _forward_links(m))
        }
        if grown == linked:
            break
        linked = grown
    undeclared = {}
    for model in candidates:
        if _is_decided(model):
            continue
        owner = model._meta.auto_created  # an auto-created many-to-many table: the model owning the field
        if owner and _is_decided(owner):
            continue
        links = [f.name for f in _forward_links(model)
                 if _label(f.related_model) == user_model
                 or ((f.many_to_one or f.one_to_one) and _label(f.related_model) in linked)]
        if links:
            undeclared[model._meta.label] = links
    return undeclared
