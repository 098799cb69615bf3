"""The one list of learner-owned data: what the INE transfer moves and the RGPD purge deletes.

Each app declares its models where it defines them, so neither job is edited when a module is added::

    from transfers.registry import learner_data, not_learner_data

    @learner_data()                              # rows point to the learner through ``learner``
    class Evaluation(EstablishmentOwned): ...

    @learner_data(learner="evaluation__learner")  # child rows: reached through their parent
    class EvaluationCell(EstablishmentOwned): ...

    @not_learner_data("l'auteur est un enseignant, pas l'apprenant")
    class Scenario(EstablishmentOwned): ...

How rows move: by default they are reassigned to the destination, in place: ``establishment`` becomes the
new establishment and, for a direct link, the learner field becomes the new learner. A model whose rows point
to other establishment data (a scenario, a PFMP period of the old school) passes ``move=`` a function
``(queryset, origin, destination) -> int`` that detaches or copies what cannot follow, and returns the number
of rows it moved. Child entries (a ``learner`` path with ``__``) are moved before direct ones, because their
path goes through the parent's learner field, which the move changes.

Cost: the transfer runs once per learner, so a default move is not rebuilt by the ORM each time. Its ``UPDATE``
is compiled once per database (``prepared_move``), from the same queryset ``update()`` with stand-in values,
then run with the learner's values; a custom ``move=`` still receives a queryset.

Every model of the project with a foreign key (or many-to-many) to the user model is either declared here or
excluded with a reason; ``undeclared_user_links()`` lists the others and a test fails on them.
"""

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, models, router
from django.db.models.sql import UpdateQuery

Mover = Callable[[models.QuerySet, models.Model, models.Model], int]

# Stand-ins for one learner's values in statements compiled once (``PreparedStatement``): no real key is negative.
ORIGIN, DESTINATION, DESTINATION_ESTABLISHMENT = -2_000_000_011, -2_000_000_013, -2_000_000_017


class PreparedStatement:
    """SQL compiled once by the ORM from a query built with stand-in values, then run with the real ones.

    Building and compiling a query costs the ORM about a millisecond of CPU; a statement that runs once per
    learner is compiled once per database instead. Every stand-in must appear among the parameters (as itself),
    otherwise the statement cannot be reused and ``ValueError`` is raised (callers then use the ORM).

    Only the client side is cached. Server-side ``PREPARE`` was tried and dropped: with it the locking query
    took about 5 ms instead of 0.5 over the benchmark's pass (probably a generic plan cached while
    ``TransferRecord`` was still empty), and prepared statements do not survive a transaction-mode pooler.
    """

    def __init__(self, sql: str, params: Iterable, stand_ins: Iterable[int]):
        self.sql = sql
        self.params = list(params)
        self.stand_ins = list(dict.fromkeys(stand_ins))
        self.slots = [(i, p) for i, p in enumerate(self.params) if type(p) is int and p in self.stand_ins]
        if {p for _, p in self.slots} != set(self.stand_ins):
            raise ValueError(f"Paramètres non retrouvés dans la requête compilée : {sql}")

    @classmethod
    def with_parameters(cls, sql: str, count: int) -> "PreparedStatement":
        """A statement whose ``count`` parameters all vary: ``bind({0: first, 1: second, ...})``."""
        return cls(sql, range(count), range(count))

    def bind(self, values: dict[int, object]) -> list:
        params = self.params.copy()
        for index, stand_in in self.slots:
            params[index] = values[stand_in]
        return params

    def execute(self, cursor, values: dict[int, object], *, prefix: str = "") -> None:
        """Runs the statement on ``cursor`` with ``values`` for the stand-ins.

        ``prefix``: statements sent before it in the same round trip (no parameters, no ``%``).
        """
        cursor.execute(prefix + self.sql, self.bind(values))


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

    def move_rows(self, origin, destination) -> int:
        if self.move is None:
            alias = router.db_for_write(self.model)
            statement = prepared_move(self, alias)
            if statement is not None:
                with connections[alias].cursor() as cursor:
                    statement.execute(cursor, {ORIGIN: origin.pk, DESTINATION: destination.pk,
                                               DESTINATION_ESTABLISHMENT: destination.establishment_id})
                    return cursor.rowcount
        queryset = self.model._base_manager.filter(**{self.learner: origin})
        if self.move is not None:
            return self.move(queryset, origin, destination)
        return queryset.update(**self._changes(destination.establishment_id, destination.pk))

    def _changes(self, establishment_id: int, learner_id: int) -> dict[str, int]:
        changes = {"establishment": establishment_id}
        if self.depth == 0:
            changes[self.learner] = learner_id
        return changes

    def file_fields(self) -> list[str]:
        return [f.name for f in self.model._meta.concrete_fields if isinstance(f, models.FileField)]


_REGISTRY: dict[str, LearnerData] = {}

# Models linked to users that are not learner data, with the reason. Apps may also use ``not_learner_data``.
NOT_LEARNER_DATA: dict[str, str] = {
    "accounts.GuardianLink": "recréé par l'import des responsables de l'établissement d'accueil",
    "accounts.AuditEntry": "journal de l'établissement ; l'auteur est copié en clair et le lien mis à NULL",
    "imports.ImportRun": "l'auteur de l'import est un administrateur ; le lien est mis à NULL",
    "imports.ImportRunEntry": "compte rendu d'import de l'établissement ; supprimé avec l'utilisateur",
    "transfers.TransferRecord": "historique des transferts propre à chaque établissement",
    "transfers.ManualTransferRequest": "demande de l'établissement d'origine, traitée par la plateforme",
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


_PREPARED_MOVES: dict[tuple, PreparedStatement | None] = {}


def prepared_move(entry: LearnerData, alias: str) -> PreparedStatement | None:
    """The default move's ``UPDATE`` of ``entry``, compiled once per database; ``None`` when it cannot be reused
    (custom move, fields on a parent model, a database that pre-selects the rows to update): the ORM runs it.
    """
    connection = connections[alias]
    key = (entry, alias, connection.vendor)
    if key not in _PREPARED_MOVES:
        _PREPARED_MOVES[key] = None
        if entry.move is None and connection.features.update_can_self_select:
            query = entry.model._base_manager.filter(**{entry.learner: ORIGIN}).query.chain(UpdateQuery)
            query.add_update_values(entry._changes(DESTINATION_ESTABLISHMENT, DESTINATION))
            if not query.related_updates:
                stand_ins = (ORIGIN, DESTINATION_ESTABLISHMENT) + ((DESTINATION,) if entry.depth == 0 else ())
                with contextlib.suppress(ValueError):  # a stand-in was transformed: the ORM runs this move
                    _PREPARED_MOVES[key] = PreparedStatement(*query.get_compiler(alias).as_sql(), stand_ins)
    return _PREPARED_MOVES[key]


def move_learner_data(origin, destination) -> dict[str, int]:
    """Moves every declared row of ``origin`` to ``destination``; call it inside the transfer's transaction."""
    return {entry.label: entry.move_rows(origin, destination) for entry in entries()}


def _label(related_model) -> str:
    # A lazy reference ("accounts.User") stays a string until the related app is loaded.
    return related_model.lower() if isinstance(related_model, str) else related_model._meta.label_lower


def _links_to_users(model: type[models.Model]) -> list[str]:
    user_model = settings.AUTH_USER_MODEL.lower()
    return [
        field.name for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one or field.many_to_many)
        and not field.auto_created
        and field.related_model is not None
        and _label(field.related_model) == user_model
    ]


def undeclared_user_links(candidates: Iterable[type[models.Model]]) -> dict[str, list[str]]:
    """Models linked to users that are neither declared nor excluded: ``{label: [fields]}``."""
    undeclared = {}
    for model in candidates:
        label = model._meta.label
        if label in _REGISTRY or label in NOT_LEARNER_DATA:
            continue
        links = _links_to_users(model)
        if links:
            undeclared[label] = links
    return undeclared
