"""Automatic transfer of a learner's data between establishments, matched by INE (SPEC §8).

A learner deactivated by an import in establishment A and a learner created by an import in establishment B
with the same INE are a *pair*. The daily job (``run_transfers``) moves A's learner data (``accounts.learner_data``)
to B's learner when every condition holds, and otherwise records why not. Each attempt is written on both
sides (``TransferRecord``), which Paramètres › Transferts shows.

Rules, as decided here:
- "less than 6 months ago" counts calendar months in Paris time (``transfer_cutoff``, with dateutil):
  at the instant of the run, the deactivation (in A) and the creation (in B) must both be later than the same
  wall-clock time 6 months earlier. Deactivated on 15 January at 10:00 → transferable until 15 July 09:59.
- Diploma change: the first 8 characters of the SIECLE MEF code (dispositif de formation + spécialité) must
  be equal; the year of the course, its length and the key (last 3 characters) may differ, so a learner moving
  from 1re to terminale of the same bac pro is transferred. When either side has no MEF code (hors SIECLE, not
  yet known), the diploma is not compared: missing data is not a change of diploma.
- Learners go in batches, one transaction each (``transfer_batch``): the batch's users are locked
  (``select_for_update``, in id order), the conditions re-checked, the rows moved by one statement per declared
  model and the records of both sides written by one insert; any error rolls the batch back, and a batch that
  failed is done again one learner per transaction, so a learner is never half transferred. A learner's data
  leave A at most once and reach B at most once: the database refuses a second "done" record
  (``transfer_done_once_per_learner``), whatever the checks above it say.
- A refusal is recorded once per pair and cause: the next days do not repeat the same line.
"""

import functools
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Profile, User
from establishments.scoping import scopes_disabled

from .models import Direction, TransferRecord
from .registry import move_learner_data

logger = logging.getLogger(__name__)

TRANSFER_WINDOW_MONTHS = 6
BATCH_SIZE = 500
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class Cause:
    """Why a transfer was not done, as shown to both establishments."""

    ORIGIN_DISABLED = "Transfert désactivé dans l'établissement d'origine"
    DESTINATION_DISABLED = "Transfert désactivé dans l'établissement d'accueil"
    INE_MISMATCH = "INE absent ou différent"
    NOT_DEACTIVATED_BY_IMPORT = "Apprenant non désactivé par un import dans l'établissement d'origine"
    NOT_CREATED_BY_IMPORT = "Apprenant non créé par un import dans l'établissement d'accueil"
    ORIGIN_TOO_OLD = "Délai dépassé : apprenant désactivé depuis plus de 6 mois"
    DESTINATION_TOO_OLD = "Délai dépassé : apprenant créé depuis plus de 6 mois"
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


@functools.lru_cache(maxsize=16)  # one ``now`` per pass, thousands of pairs
def transfer_cutoff(now: datetime) -> datetime:
    """The same wall-clock time 6 calendar months before ``now``, in Paris time (31 August → 28/29 February)."""
    return timezone.localtime(now) - relativedelta(months=TRANSFER_WINDOW_MONTHS)


def refusal_cause(origin: User, destination: User, now: datetime) -> str | None:
    """Why ``origin``'s data may not move to ``destination`` at ``now``, or ``None`` if they may (pure)."""
    cutoff = transfer_cutoff(now)
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
    return Exists(TransferRecord._base_manager.filter(direction=direction, done=True, learner=OuterRef("pk")))


def _learners_with_ine():
    return (User.objects.filter(profile=Profile.LEARNER, establishment__isnull=False, ine__isnull=False)
            .exclude(ine=""))


def _origin_candidates():
    """Learners who left an establishment and whose data have not left it yet."""
    return _learners_with_ine().filter(is_active=False).exclude(_done(Direction.OUTGOING))


@dataclass(frozen=True, slots=True)
class School:
    uai: str
    transfer_enabled: bool


@dataclass(slots=True)
class Learner:
    """What the rules, the moves and the records read of a learner: one row of ``LEARNER_FIELDS``, no model
    instance (the pass reads tens of thousands of them). ``refusal_cause`` takes it as it takes a ``User``."""

    pk: int
    establishment_id: int
    is_active: bool
    ine: str | None
    mef_code: str
    deactivated_at: datetime | None
    deactivated_by_import: bool
    imported_at: datetime | None
    last_name: str
    first_name: str
    establishment: School
    sent: bool = False  # this learner's data already left their establishment
    received: bool = False  # this learner already received data from another establishment

    full_name = property(User.full_name.fget)

    @property
    def id(self) -> int:
        return self.pk


LEARNER_FIELDS = ("pk", "establishment_id", "is_active", "ine", "mef_code", "deactivated_at", "deactivated_by_import",
                  "imported_at", "last_name", "first_name", "establishment__uai", "establishment__transfer_enabled")


def _learners(rows: Iterable[tuple]) -> list[Learner]:
    schools: dict[int, School] = {}
    learners = []
    for row in rows:
        school = schools.get(row[1])
        if school is None:
            school = schools[row[1]] = School(row[10], row[11])
        learners.append(Learner(*row[:10], school, *row[12:]))
    return learners


def transfer_candidates() -> list[tuple[Learner, Learner]]:
    """Every (origin, destination) pair sharing an INE across two establishments, not transferred yet.

    Two queries whatever the number of establishments; the most recent departures come first.
    """
    with scopes_disabled():
        origins = _origin_candidates()
        destinations = (_learners_with_ine().filter(is_active=True, ine__in=origins.values("ine"))
                        .exclude(_done(Direction.INCOMING)))
        destination_list = _learners(destinations.values_list(*LEARNER_FIELDS))
        if not destination_list:
            return []
        origin_list = _learners(origins.filter(ine__in=destinations.values("ine")).values_list(*LEARNER_FIELDS))
    by_ine: dict[str, list[Learner]] = {}
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


# The columns a transfer writes in ``TransferRecord`` (``attempted_at``: the time of the insert, as auto_now_add).
_RECORD_FIELDS = ("establishment", "direction", "learner", "learner_name", "ine", "other_uai", "done", "cause",
                  "attempted_at")


def _records(origin: Learner, destination: Learner, *, done: bool, cause: str = "") -> list[tuple]:
    """The rows of both sides of one attempt, in ``_RECORD_FIELDS`` order (without ``attempted_at``)."""
    ine = origin.ine or ""
    return [
        (origin.establishment_id, Direction.OUTGOING.value, origin.pk, origin.full_name[:300], ine,
         destination.establishment.uai, done, cause),
        (destination.establishment_id, Direction.INCOMING.value, destination.pk, destination.full_name[:300], ine,
         origin.establishment.uai, done, cause),
    ]


def _insert_records(records: list[tuple], chunk: int = 1000) -> None:
    """Inserts record rows: one ``INSERT … VALUES`` per ``chunk`` rows, built from the model's metadata and the
    values as they are (plain strings, integers, booleans; the time adapted once), without model instances."""
    if not records:
        return
    connection = connections[router.db_for_write(TransferRecord)]
    quote = connection.ops.quote_name
    fields = [TransferRecord._meta.get_field(name) for name in _RECORD_FIELDS]
    attempted_at = connection.ops.adapt_datetimefield_value(timezone.now())
    table, columns = quote(TransferRecord._meta.db_table), ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(records), chunk):
            rows = records[start:start + chunk]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(rows))}"  # noqa: S608 - metadata
            cursor.execute(sql, [value for record in rows for value in (*record, attempted_at)])


def _outcome(origin: Learner | User, destination: Learner | User, *, done: bool = False, cause: str = "",
             moved: dict[str, int] | None = None) -> TransferOutcome:
    return TransferOutcome(learner_name=destination.full_name, ine=origin.ine or "",
                           origin_uai=origin.establishment.uai, destination_uai=destination.establishment.uai,
                           done=done, cause=cause, moved=moved or {})


def _lock_learners(user_ids: Iterable[int]) -> dict[int, Learner]:
    """Locks these users (in id order, the users only, not their establishment) and reads, with the rules'
    fields, whether each one's data already left (``sent``) or arrived (``received``): one query."""
    rows = (User._base_manager.select_for_update(of=("self",)).filter(pk__in=sorted(set(user_ids))).order_by("pk")
            .annotate(sent=_done(Direction.OUTGOING), received=_done(Direction.INCOMING))
            .values_list(*LEARNER_FIELDS, "sent", "received"))
    return {learner.pk: learner for learner in _learners(rows)}


def transfer_batch(pairs: list[tuple[int, int]], *, now: datetime) -> list[TransferOutcome]:
    """Transfers a batch of (origin id, destination id) pairs in one transaction, in the given order.

    One query locks every user of the batch and reads their "already done" flags; each pair is re-checked on
    the locked rows (the rules, plus what the earlier pairs of the batch just did); then one statement per
    declared model moves the data of every pair to transfer (``registry.move_learner_data``) and one
    ``INSERT`` writes the records of both sides. Any error rolls the whole batch back. Pairs with nothing left
    to do (already transferred, changed since they were selected) give no outcome.
    """
    outcomes: list[TransferOutcome] = []
    with scopes_disabled(), transaction.atomic():
        users = _lock_learners(user_id for pair in pairs for user_id in pair)
        to_move: list[tuple[Learner, Learner]] = []
        records: list[tuple] = []
        for origin_id, destination_id in pairs:
            origin, destination = users.get(origin_id), users.get(destination_id)
            if origin is None or destination is None or origin.is_active or not destination.is_active:
                continue
            if origin.ine != destination.ine or origin.establishment_id == destination.establishment_id:
                continue
            if origin.sent:
                continue
            cause = Cause.ALREADY_RECEIVED if destination.received else refusal_cause(origin, destination, now)
            if cause:
                records.extend(_records(origin, destination, done=False, cause=cause))
                outcomes.append(_outcome(origin, destination, cause=cause))
                continue
            origin.sent = destination.received = True  # the next pairs of the batch see it
            to_move.append((origin, destination))
            records.extend(_records(origin, destination, done=True))
            outcomes.append(_outcome(origin, destination, done=True))
        if to_move:
            moved = move_learner_data(to_move)
            done = iter(o for o in outcomes if o.done)
            for origin, _ in to_move:
                next(done).moved = moved[origin.pk]
        _insert_records(records)
    for outcome in outcomes:
        if outcome.done:
            logger.info("Transfert INE effectué : %s → %s (%s)", outcome.origin_uai, outcome.destination_uai,
                        outcome.moved)
    return outcomes


def learner_transfer(*, origin_id: int, destination_id: int, now: datetime) -> TransferOutcome | None:
    """Moves one learner's data from their old establishment to the new one, in one transaction.

    Returns the outcome (done, or refused with its cause, both recorded on both sides), or ``None`` when there
    is nothing to do any more: already transferred, or the pair changed since it was selected.
    """
    outcomes = transfer_batch([(origin_id, destination_id)], now=now)
    return outcomes[0] if outcomes else None


def _record_failure(origin: Learner, destination: Learner) -> TransferOutcome | None:
    """After a rolled-back transfer: note it on both sides, unless a concurrent run did it meanwhile."""
    with scopes_disabled(), transaction.atomic():
        already = TransferRecord._base_manager.filter(done=True, direction=Direction.OUTGOING, learner_id=origin.pk)
        if already.exists():
            return None
        _insert_records(_records(origin, destination, done=False, cause=Cause.TECHNICAL_ERROR))
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


def run_transfers(*, now: datetime, batch_size: int = BATCH_SIZE) -> TransferRunResult:
    """The daily pass over every establishment: transfers what may be, records why the rest may not.

    Pairs that pass the rules go in batches of ``batch_size``, one transaction each (``transfer_batch``). A batch
    that fails is rolled back and done again one learner per transaction, so that one learner's error does
    not hold back the others: that learner's failure is recorded and the pass goes on. Transient database
    errors propagate (the Celery task retries the whole pass, which resumes: done pairs are no longer
    candidates).
    """
    result = TransferRunResult()
    pairs = transfer_candidates()
    with scopes_disabled():
        recorded = _recorded_refusals({origin.pk for origin, _ in pairs})
    new_refusals: list[tuple] = []
    to_transfer: list[tuple[Learner, Learner]] = []
    for origin, destination in pairs:
        cause = refusal_cause(origin, destination, now)
        if cause:
            result.refused.append(_outcome(origin, destination, cause=cause))
            if recorded.get((origin.pk, destination.establishment.uai)) != cause:
                new_refusals.extend(_records(origin, destination, done=False, cause=cause))
                recorded[(origin.pk, destination.establishment.uai)] = cause
            continue
        to_transfer.append((origin, destination))
    for start in range(0, len(to_transfer), batch_size):
        batch = to_transfer[start:start + batch_size]
        try:
            outcomes = transfer_batch([(o.pk, d.pk) for o, d in batch], now=now)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("Échec d'un lot de transferts INE : reprise apprenant par apprenant")
            outcomes = [outcome for origin, destination in batch
                        if (outcome := _transfer_alone(origin, destination, now)) is not None]
        for outcome in outcomes:
            (result.transferred if outcome.done else result.refused).append(outcome)
            result.records_written += 2
    with transaction.atomic():
        _insert_records(new_refusals)
    result.records_written += len(new_refusals)
    return result


def _transfer_alone(origin: Learner, destination: Learner, now: datetime) -> TransferOutcome | None:
    try:
        return learner_transfer(origin_id=origin.pk, destination_id=destination.pk, now=now)
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception("Échec du transfert INE de l'apprenant %s vers %s", origin.pk, destination.pk)
        return _record_failure(origin, destination)
