"""Automatic transfer of a learner's data between establishments, matched by INE (SPEC §8).

A learner deactivated by an import in establishment A and a learner created by an import in establishment B
with the same INE are a *pair*. The daily job (``run_transfers``) moves A's learner data (``transfers.registry``)
to B's learner when every condition holds, and otherwise records why not. Each attempt is written on both
sides (``TransferRecord``), which Paramètres › Transferts shows.

Rules, as decided here:
- "less than 6 months ago" counts calendar months in Paris time (``accounts.former_learners.months_before``):
  at the instant of the run, the deactivation (in A) and the creation (in B) must both be later than the same
  wall-clock time 6 months earlier. Deactivated on 15 January at 10:00 → transferable until 15 July 09:59.
- Diploma change: the first 8 characters of the SIECLE MEF code (dispositif de formation + spécialité) must
  be equal; the year of the course, its length and the key (last 3 characters) may differ, so a learner moving
  from 1re to terminale of the same bac pro is transferred. When either side has no MEF code (hors SIECLE, not
  yet known), the diploma is not compared: missing data is not a change of diploma.
- One learner = one transaction: both users are locked (``select_for_update``, in id order), the conditions
  re-checked, the rows moved and both records written; any error rolls everything back. A learner's data
  leave A at most once and reach B at most once: the database refuses a second "done" record
  (``transfer_done_once_per_learner``), whatever the checks above it say.
- A refusal is recorded once per pair and cause: the next days do not repeat the same line.
"""

import functools
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models import AutoField, Exists, F, OuterRef

from accounts.former_learners import months_before
from accounts.models import Profile, User
from establishments.models import Establishment
from establishments.scoping import scopes_disabled

from .models import Direction, TransferRecord
from .registry import PreparedStatement, move_learner_data

logger = logging.getLogger(__name__)

TRANSFER_WINDOW_MONTHS = 6
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class Cause:
    """Why a transfer was not done, as shown to both establishments."""

    ORIGIN_DISABLED = "Transfert désactivé dans l'établissement d'origine"
    DESTINATION_DISABLED = "Transfert désactivé dans l'établissement d'accueil"
    INE_MISMATCH = "INE absent ou différent"
    NOT_DEACTIVATED_BY_IMPORT = "Élève non désactivé par un import dans l'établissement d'origine"
    NOT_CREATED_BY_IMPORT = "Élève non créé par un import dans l'établissement d'accueil"
    ORIGIN_TOO_OLD = "Délai dépassé : élève désactivé depuis plus de 6 mois"
    DESTINATION_TOO_OLD = "Délai dépassé : élève créé depuis plus de 6 mois"
    DIPLOMA_CHANGED = "Changement de diplôme"
    ALREADY_RECEIVED = "Données déjà reçues d'un autre établissement"
    TECHNICAL_ERROR = "Erreur technique : nouvel essai au prochain passage"


@dataclass
class TransferOutcome:
    learner_name: str
    ine: str
    origin_uai: str
    destination_uai: str
    done: bool = False
    cause: str = ""
    moved: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TransferRunResult:
    transferred: list[TransferOutcome] = field(default_factory=list)
    refused: list[TransferOutcome] = field(default_factory=list)
    records_written: int = 0

    def summary(self) -> dict:
        """Counts only (kept in the job's run record: no names there)."""
        causes: dict[str, int] = {}
        for outcome in self.refused:
            causes[outcome.cause] = causes.get(outcome.cause, 0) + 1
        return {"transferred": len(self.transferred), "refused": len(self.refused), "causes": causes,
                "records_written": self.records_written}

    def as_dict(self) -> dict:
        return {**self.summary(), "transferred_list": [o.as_dict() for o in self.transferred],
                "refused_list": [o.as_dict() for o in self.refused]}


def diploma_part(mef_code: str | None) -> str | None:
    """Dispositif de formation + spécialité of a MEF code (its first 8 characters), ``None`` if unknown."""
    code = (mef_code or "").strip().upper()
    return code[:8] if len(code) >= 8 else None


def refusal_cause(origin: User, destination: User, now: datetime) -> str | None:
    """Why ``origin``'s data may not move to ``destination`` at ``now``, or ``None`` if they may (pure)."""
    cutoff = months_before(now, TRANSFER_WINDOW_MONTHS)
    if not origin.establishment.transfer_enabled:
        return Cause.ORIGIN_DISABLED
    if not destination.establishment.transfer_enabled:
        return Cause.DESTINATION_DISABLED
    if not origin.ine or origin.ine != destination.ine:
        return Cause.INE_MISMATCH
    if not origin.deactivated_by_import or origin.deactivated_at is None:
        return Cause.NOT_DEACTIVATED_BY_IMPORT
    if destination.imported_at is None:
        return Cause.NOT_CREATED_BY_IMPORT
    if origin.deactivated_at <= cutoff:
        return Cause.ORIGIN_TOO_OLD
    if destination.imported_at <= cutoff:
        return Cause.DESTINATION_TOO_OLD
    origin_diploma, destination_diploma = diploma_part(origin.mef_code), diploma_part(destination.mef_code)
    if origin_diploma and destination_diploma and origin_diploma != destination_diploma:
        return Cause.DIPLOMA_CHANGED
    return None


@functools.cache
def _done(direction: Direction) -> Exists:
    # Built once: expressions are copied when a query uses them, and the per-learner query runs thousands of times.
    return Exists(TransferRecord._base_manager.filter(direction=direction, done=True, learner=OuterRef("pk")))


def _learners_with_ine():
    return (User.objects.filter(profile=Profile.LEARNER, establishment__isnull=False, ine__isnull=False)
            .exclude(ine=""))


def _origin_candidates():
    """Learners who left an establishment and whose data have not left it yet."""
    return _learners_with_ine().filter(is_active=False).exclude(_done(Direction.OUTGOING))


def transfer_candidates() -> list[tuple[User, User]]:
    """Every (origin, destination) pair sharing an INE across two establishments, not transferred yet.

    Two queries whatever the number of establishments; the most recent departures come first.
    """
    with scopes_disabled():
        origins = _origin_candidates()
        destinations = (_learners_with_ine().filter(is_active=True, ine__in=origins.values("ine"))
                        .exclude(_done(Direction.INCOMING)))
        destination_list = list(destinations.select_related("establishment"))
        if not destination_list:
            return []
        origin_list = list(origins.filter(ine__in=destinations.values("ine")).select_related("establishment"))
    by_ine: dict[str, list[User]] = {}
    for destination in destination_list:
        by_ine.setdefault(destination.ine, []).append(destination)
    pairs = [
        (origin, destination)
        for origin in origin_list
        for destination in by_ine.get(origin.ine, [])
        if destination.establishment_id != origin.establishment_id
    ]
    pairs.sort(key=_most_recent_departure_first)
    return pairs


def _most_recent_departure_first(pair: tuple[User, User]) -> tuple:
    origin, destination = pair
    left = origin.deactivated_at.timestamp() if origin.deactivated_at else 0.0
    return (-left, origin.pk, destination.pk)


def _records(origin: User, destination: User, *, done: bool, cause: str = "") -> list[TransferRecord]:
    common = {"ine": origin.ine or "", "done": done, "cause": cause}
    return [
        TransferRecord(establishment_id=origin.establishment_id, direction=Direction.OUTGOING, learner=origin,
                       learner_name=origin.full_name[:300], other_uai=destination.establishment.uai, **common),
        TransferRecord(establishment_id=destination.establishment_id, direction=Direction.INCOMING,
                       learner=destination, learner_name=destination.full_name[:300],
                       other_uai=origin.establishment.uai, **common),
    ]


def _outcome(origin: User, destination: User, *, done: bool = False, cause: str = "",
             moved: dict[str, int] | None = None) -> TransferOutcome:
    return TransferOutcome(learner_name=destination.full_name, ine=origin.ine or "",
                           origin_uai=origin.establishment.uai, destination_uai=destination.establishment.uai,
                           done=done, cause=cause, moved=moved or {})


# What the rules and the records read: the locking query loads nothing else (it runs once per learner).
_USER_FIELDS_FOR_THE_RULES = (
    "establishment", "profile", "is_active", "ine", "mef_code", "deactivated_at", "deactivated_by_import",
    "imported_at", "last_name", "first_name",
)
_ESTABLISHMENT_FIELDS_FOR_THE_RULES = ("uai", "transfer_enabled")
_FIRST, _SECOND = -2_000_000_101, -2_000_000_103  # stand-ins for the two user ids (see ``PreparedStatement``)

# PostgreSQL asynchronous commit for the transfer's transaction only, sent with the locking query (one round
# trip). A server crash may then lose the last few transfers committed just before it — each one whole, never
# half — and the next daily run does them again (the job works from the database state). In exchange a
# learner's commit does not wait for the WAL flush, which is most of a transfer's cost on a busy server.
_ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF; "


@dataclass(frozen=True)
class _LockStatement:
    statement: PreparedStatement
    user_positions: list[int]
    user_fields: list[str]  # in the model's field order, as ``Model.from_db`` wants them
    annotations: dict[str, int]  # name → position in the row
    converters: dict


@functools.cache
def _lock_statement(alias: str, vendor: str) -> _LockStatement:
    """The query that locks both users in id order and reads the rules' fields and the "already done" flags.

    Compiled once per database (inside a transaction: ``select_for_update`` requires one) from the queryset
    the ORM would run, and its rows read as the ORM reads them (same converters, ``Model.from_db``), without
    building and compiling the queryset again for each learner. A model query (not ``values_list``), so that
    only the users are locked (``FOR UPDATE OF``), not their establishment.
    """
    annotations = {f"establishment_{name}": F(f"establishment__{name}") for name in _ESTABLISHMENT_FIELDS_FOR_THE_RULES}
    queryset = (User._base_manager.select_for_update(of=("self",)).only(*_USER_FIELDS_FOR_THE_RULES)
                .filter(pk__in=[_FIRST, _SECOND]).order_by("pk")
                .annotate(**annotations, sent=_done(Direction.OUTGOING), received=_done(Direction.INCOMING)))
    compiler = queryset.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    positions = list(compiler.klass_info["select_fields"])
    converters = compiler.get_converters([column for column, _, _ in compiler.select[:compiler.col_count]])
    return _LockStatement(PreparedStatement(sql, params, (_FIRST, _SECOND)), positions,
                          [compiler.select[i][0].target.attname for i in positions],
                          dict(compiler.annotation_col_map), converters)


def _lock_learners(origin_id: int, destination_id: int) -> dict[int, User]:
    """Locks both users (id order) and returns them with their establishment and ``sent``/``received`` flags."""
    alias = router.db_for_write(User)
    connection = connections[alias]
    lock = _lock_statement(alias, connection.vendor)
    first, second = sorted((origin_id, destination_id))
    with connection.cursor() as cursor:
        lock.statement.execute(cursor, {_FIRST: first, _SECOND: second},
                               prefix=_ASYNC_COMMIT if connection.vendor == "postgresql" else "")
        rows = cursor.fetchall()
    users = {}
    for row in rows:
        row = list(row)
        for position, (functions, expression) in lock.converters.items():
            for function in functions:
                row[position] = function(row[position], expression, connection)
        user = User.from_db(alias, lock.user_fields, [row[i] for i in lock.user_positions])
        values = {name: row[i] for name, i in lock.annotations.items()}
        user.establishment = Establishment.from_db(
            alias, ("id", *_ESTABLISHMENT_FIELDS_FOR_THE_RULES),
            (user.establishment_id, *(values[f"establishment_{name}"] for name in _ESTABLISHMENT_FIELDS_FOR_THE_RULES)))
        user.sent, user.received = values["sent"], values["received"]
        users[user.pk] = user
    return users


def _insert_records(records: list[TransferRecord]) -> None:
    """``bulk_create`` of one transfer's records, in one ``INSERT`` built once (ids are not read back)."""
    alias = router.db_for_write(TransferRecord)
    connection = connections[alias]
    fields = _record_fields()
    statement = _record_insert(alias, connection.vendor, len(records))
    params = [field.get_db_prep_save(field.pre_save(record, True), connection=connection)
              for record in records for field in fields]
    with connection.cursor() as cursor:
        statement.execute(cursor, dict(enumerate(params)))


@functools.cache
def _record_fields() -> tuple:
    # What bulk_create inserts for new rows: every concrete field but the automatic primary key.
    return tuple(f for f in TransferRecord._meta.concrete_fields if not f.generated and not isinstance(f, AutoField))


@functools.cache
def _record_insert(alias: str, vendor: str, count: int) -> PreparedStatement:
    quote = connections[alias].ops.quote_name
    fields = _record_fields()
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table, columns = quote(TransferRecord._meta.db_table), ", ".join(quote(f.column) for f in fields)
    rows = [row] * count
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join(rows)}"  # noqa: S608 - names from the model's metadata
    return PreparedStatement.with_parameters(sql, len(fields) * count)


def learner_transfer(*, origin_id: int, destination_id: int, now: datetime) -> TransferOutcome | None:
    """Moves one learner's data from their old establishment to the new one, in one transaction.

    Returns the outcome (done, or refused with its cause, both recorded on both sides), or ``None`` when there
    is nothing to do any more: already transferred, or the pair changed since it was selected.
    """
    with scopes_disabled(), transaction.atomic():
        # One query locks both users (in id order) and tells whether either side already has its done record.
        users = _lock_learners(origin_id, destination_id)
        origin, destination = users.get(origin_id), users.get(destination_id)
        if origin is None or destination is None or origin.is_active or not destination.is_active:
            return None
        if origin.ine != destination.ine or origin.establishment_id == destination.establishment_id:
            return None
        if origin.sent:
            return None
        cause = Cause.ALREADY_RECEIVED if destination.received else refusal_cause(origin, destination, now)
        if cause:
            _insert_records(_records(origin, destination, done=False, cause=cause))
            return _outcome(origin, destination, cause=cause)
        moved = move_learner_data(origin, destination)
        _insert_records(_records(origin, destination, done=True))
    logger.info("Transfert INE effectué : apprenant %s → %s (%s)", origin_id, destination_id, moved)
    return _outcome(origin, destination, done=True, moved=moved)


def _record_failure(origin: User, destination: User) -> TransferOutcome | None:
    """After a rolled-back transfer: note it on both sides, unless a concurrent run did it meanwhile."""
    with scopes_disabled(), transaction.atomic():
        already = TransferRecord._base_manager.filter(done=True, direction=Direction.OUTGOING, learner=origin)
        if already.exists():
            return None
        TransferRecord._base_manager.bulk_create(_records(origin, destination, done=False,
                                                          cause=Cause.TECHNICAL_ERROR))
    return _outcome(origin, destination, cause=Cause.TECHNICAL_ERROR)


def _recorded_refusals(origin_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """The cause of the latest record of each (origin learner, destination UAI) among these learners."""
    latest: dict[tuple[int, str], str] = {}
    ids = list(origin_ids)
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        rows = (TransferRecord._base_manager.filter(direction=Direction.OUTGOING, learner_id__in=chunk)
                .order_by("attempted_at", "pk").values_list("learner_id", "other_uai", "cause"))
        for learner_id, other_uai, cause in rows:
            latest[(learner_id, other_uai)] = cause
    return latest


def run_transfers(*, now: datetime) -> TransferRunResult:
    """The daily pass over every establishment: transfers what may be, records why the rest may not.

    Transient database errors propagate (the Celery task retries the whole pass, which resumes: done pairs
    are no longer candidates). Any other error on one learner is recorded and the pass goes on.
    """
    result = TransferRunResult()
    pairs = transfer_candidates()
    with scopes_disabled():
        recorded = _recorded_refusals({origin.pk for origin, _ in pairs})
    new_refusals: list[TransferRecord] = []
    for origin, destination in pairs:
        cause = refusal_cause(origin, destination, now)
        if cause:
            result.refused.append(_outcome(origin, destination, cause=cause))
            if recorded.get((origin.pk, destination.establishment.uai)) != cause:
                new_refusals.extend(_records(origin, destination, done=False, cause=cause))
                recorded[(origin.pk, destination.establishment.uai)] = cause
            continue
        try:
            outcome = learner_transfer(origin_id=origin.pk, destination_id=destination.pk, now=now)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("Échec du transfert INE de l'apprenant %s vers %s", origin.pk, destination.pk)
            outcome = _record_failure(origin, destination)
        if outcome is None:
            continue
        if outcome.done:
            result.transferred.append(outcome)
        else:
            result.refused.append(outcome)
        result.records_written += 2
    with scopes_disabled(), transaction.atomic():
        TransferRecord._base_manager.bulk_create(new_refusals, batch_size=1000)
    result.records_written += len(new_refusals)
    return result
