"""Writes a plan (``analysis.Plan``) in bulk: a fixed number of queries whatever the number of people.

Call ``apply_plan`` inside ``transaction.atomic()`` with the establishment row locked (``services`` does):
either everything is written or nothing.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from itertools import repeat

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from accounts.models import INITIAL_PASSWORD, Enrolment, GuardianLink, User
from establishments.models import Division, Establishment, SchoolYear, TeachingGroup

from .analysis import (
    CIVILITIES,
    GUARDIAN_ID_PREFIX,
    PROFILE_OF_KIND,
    BaseState,
    PersonPlan,
    Plan,
    UserRow,
)
from .models import Action, ImportRun, ImportRunEntry, Kind, MefLabel
from .parsing import Guardian, Learner, StaffMember

BATCH = 1000


def apply_plan(plan: Plan, state: BaseState, *, establishment: Establishment, run: ImportRun,
               now: datetime) -> None:
    """Creates classes, groups and accounts, updates the kept ones, (de)activates, links guardians."""
    divisions = _create_divisions(plan, state, establishment)
    groups = _create_groups(plan, state, establishment, divisions)
    _store_mef_labels(plan, establishment)
    new_rows = _create_users(plan, establishment, divisions, now)
    _update_users(plan, divisions, now)
    _sync_enrolments(plan, state, establishment, divisions, new_rows)
    _sync_memberships(plan, state, divisions, groups)
    _sync_links(plan, state, establishment)
    _write_entries(plan, establishment, run)


def _create_divisions(plan: Plan, state: BaseState, establishment: Establishment) -> dict[str, int]:
    new = [Division(establishment=establishment, code=code[:40], label=label[:200])
           for code, label in plan.divisions_to_create]
    Division.objects.bulk_create(new, batch_size=BATCH)
    ids = {code: d.pk for code, d in state.divisions.items()}
    if new:
        ids.update(Division.objects.filter(establishment=establishment, code__in=[d.code for d in new])
                   .values_list("code", "id"))
    return ids


def _create_groups(plan: Plan, state: BaseState, establishment: Establishment,
                   divisions: dict[str, int]) -> dict[str, int]:
    new = [TeachingGroup(establishment=establishment, code=code[:40], label=label[:200])
           for code, label in plan.groups_to_create]
    TeachingGroup.objects.bulk_create(new, batch_size=BATCH)
    ids = {code: g.pk for code, g in state.groups.items()}
    if new:
        ids.update(TeachingGroup.objects.filter(establishment=establishment, code__in=[g.code for g in new])
                   .values_list("code", "id"))
    through = TeachingGroup.divisions.through
    rows = [through(teachinggroup_id=ids[g], division_id=divisions[d]) for g, d in plan.group_divisions
            if g in ids and d in divisions]
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return ids


def _store_mef_labels(plan: Plan, establishment: Establishment) -> None:
    if not plan.mef_labels:
        return
    existing = {m.code: m for m in MefLabel.objects.filter(establishment=establishment, code__in=plan.mef_labels)}
    changed = []
    for code, label in plan.mef_labels.items():
        if code in existing:
            existing[code].label = label[:200]
            changed.append(existing[code])
    MefLabel.objects.bulk_update(changed, ["label"], batch_size=BATCH)
    MefLabel.objects.bulk_create([MefLabel(establishment=establishment, code=code[:20], label=label[:200])
                                  for code, label in plan.mef_labels.items() if code not in existing])


def _new_user(person: PersonPlan, establishment: Establishment, divisions: dict[str, int],
              mef_labels: dict[str, str], now: datetime) -> dict:
    """The columns of a new account. The initial password is derived when needed (User.initial_password):
    nothing is hashed, thousands of accounts are created at once."""
    user = {"establishment_id": establishment.pk, "login": person.login, "last_name": person.last_name[:150],
            "first_name": person.first_name[:150], "profile": PROFILE_OF_KIND[person.kind],
            "password": INITIAL_PASSWORD, "must_change_password": True, "date_joined": now, "imported_at": now}
    record = person.record
    if isinstance(record, StaffMember):
        user.update(sts_id=record.sts_id, civility=CIVILITIES.get((record.civility or "").upper(), ""),
                    birth_date=record.birth_date, sex=record.sex or "", function=record.function or "",
                    disciplines="; ".join(d.label or d.code for d in record.disciplines)[:300])
    elif isinstance(record, Learner):
        user.update(siecle_id=record.siecle_id, ine=record.ine, birth_date=record.birth_date, sex=record.sex or "",
                    division_id=divisions.get(person.division) if person.division else None,
                    mef_code=record.mef_code or "",
                    mef_label=(record.mef_label or mef_labels.get(record.mef_code or "", ""))[:200],
                    is_apprentice=record.is_apprentice, entry_date=record.entry_date, exit_date=record.exit_date)
    elif isinstance(record, Guardian):
        address = ""
        if record.address is not None:
            parts = record.address
            city = " ".join(part for part in (parts.postal_code, parts.city) if part)
            abroad = [parts.country] if parts.country_code not in (None, "100") and parts.country else []
            address = "\n".join([*parts.lines, city, *abroad])
        user.update(siecle_id=f"{GUARDIAN_ID_PREFIX}{record.siecle_id}",
                    civility=CIVILITIES.get((record.civility or "").upper(), ""), email=record.email or "",
                    phone=(record.phone_mobile or record.phone_home or record.phone_work or "")[:40],
                    address=address)
    return user


class _Created:
    """A new account, as far as the rest of the import needs it: its id."""

    __slots__ = ("pk",)

    def __init__(self, pk: int) -> None:
        self.pk = pk


def _create_users(plan: Plan, establishment: Establishment, divisions: dict[str, int],
                  now: datetime) -> dict[int, dict]:
    """Creates the new accounts; returns their columns by new id (the enrolments start from them)."""
    created = [p for p in plan.people if p.action == Action.CREATED]
    mef_labels = dict(MefLabel.objects.filter(establishment=establishment).values_list("code", "label"))
    rows = [_new_user(p, establishment, divisions, mef_labels, now) for p in created]
    ids = _insert(User, rows)
    for person, pk in zip(created, ids, strict=True):
        person.user = _Created(pk)
    return dict(zip(ids, rows, strict=True))


# Field classes (exactly these, not subclasses) whose Python values psycopg2 would send as they are, with the
# types each accepts: for them the COPY text is the value's own text. Django's per-field preparation and model
# instances are the costly part of bulk_create at this size (about 40 columns × 8,000 accounts).
_COPY_TYPES: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,), models.TextField: (str,), models.EmailField: (str,), models.URLField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,), models.SmallIntegerField: (int,), models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,), models.PositiveSmallIntegerField: (int,),
    models.DateField: (date,), models.DateTimeField: (datetime,),
    models.ForeignKey: (int,),
}
_NONE = type(None)


def _copy_columns(fields: list[models.Field], rows: list[dict]) -> list | None:
    """The COPY texts of each column, or ``None`` when one column needs what only the ORM does.

    The ORM prepares a value with the field's ``pre_save`` and ``get_db_prep_save``: a database default
    (``db_default``), ``auto_now``, a JSON or UUID column, a custom field, a lazy string or a naive datetime all
    change what is written. Rather than write a wrong value in silence, such an insert goes through
    ``bulk_create``. A callable default (a token) is called for each row, as the ORM does.
    """
    given = set().union(*rows)
    columns: list = []
    for f in fields:
        accepted = _COPY_TYPES.get(type(f))
        if accepted is None or f.has_db_default() or getattr(f, "auto_now", False) \
                or getattr(f, "auto_now_add", False):
            return None
        allowed = {*accepted, _NONE}
        per_row_default = f.has_default() and callable(f.default)
        if f.attname in given:
            values = [row.get(f.attname, _MISSING) for row in rows]
            types = {type(value) for value in values}
            missing = type(_MISSING) in types
            if missing and per_row_default:
                return None
            default = f.get_default() if missing else None
            if not types - {type(_MISSING)} <= allowed or type(default) not in allowed:
                return None
            if datetime in types and settings.USE_TZ and any(
                    type(value) is datetime and timezone.is_naive(value) for value in values):
                return None
            columns.append(_column_text(rows, f.attname, _copy_text(default)))
        elif per_row_default:
            defaults = [f.get_default() for _ in rows]
            if not {type(value) for value in defaults} <= allowed:
                return None
            columns.append([_copy_text(value) for value in defaults])
        else:
            default = f.get_default()
            if type(default) not in allowed:
                return None
            columns.append(repeat(_copy_text(default), len(rows)))
    return columns


def _insert(model, rows: list[dict]) -> list[int]:
    """Inserts rows given as {attname: value} (other columns take their default); returns the new ids in order.

    On PostgreSQL, the ids are drawn from the table's sequence in one query, then the rows are sent with one
    ``COPY … FROM STDIN`` (about three times faster than ``INSERT … VALUES`` at this size, on both sides);
    elsewhere, or when a column needs Django's preparation (``_copy_columns``), ``bulk_create``.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns_text = _copy_columns(fields, rows) if connection.vendor == "postgresql" else None
    if columns_text is None:
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(objs, batch_size=BATCH)
        return [obj.pk for obj in objs]
    pk = model._meta.pk
    table = model._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [quote(table), pk.column, len(rows)])
        ids = sorted(pk_value for (pk_value,) in cursor.fetchall())
        lines = ["\t".join(values) for values in zip([str(pk_value) for pk_value in ids], *columns_text,
                                                      strict=True)]
        lines.append("")
        sql = f"COPY {quote(table)} ({columns}) FROM STDIN"
        cursor.cursor.copy_expert(sql, io.StringIO("\n".join(lines)))
    return ids


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _column_text(rows: list[dict], name: str, default: str) -> list[str]:
    escapes, text, missing = _COPY_ESCAPES, _copy_text, _MISSING
    return [
        default if value is missing else value.translate(escapes) if type(value) is str else text(value)
        for value in (row.get(name, missing) for row in rows)
    ]


_MISSING = object()


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format (the column types of _PLAIN_FIELDS)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)  # int, date, aware datetime: ISO forms PostgreSQL reads


def _update_users(plan: Plan, divisions: dict[str, int], now: datetime) -> None:
    """Writes only the accounts that change (an unchanged re-import updates nothing), grouped so that each
    statement is small: (de)activations and class moves as plain UPDATEs, other fields with bulk_update."""
    deactivate, reactivate = [], []
    moves: dict[int | None, list[int]] = {}
    by_fields: dict[tuple[str, ...], list[User]] = {}
    for person in plan.people:
        if person.action == Action.CREATED or person.user is None:
            continue
        row = person.user
        if person.action == Action.DEACTIVATED:
            deactivate.append(row.pk)
        elif person.action == Action.REACTIVATED:
            reactivate.append(row.pk)
        if person.synced and person.kind == Kind.LEARNERS:
            division_id = divisions.get(person.division) if person.division else None
            if row.division_id != division_id:
                moves.setdefault(division_id, []).append(row.pk)
        if person.updates:
            user = row.as_user()
            for name, value in person.updates.items():
                setattr(user, name, value)
            by_fields.setdefault(tuple(sorted(person.updates)), []).append(user)
    for fields, users in by_fields.items():
        User.objects.bulk_update(users, fields, batch_size=500)
    # The same columns as User.deactivate(when=now, by_import=True) and User.reactivate(), in one statement.
    _update_ids(deactivate, is_active=False, deactivated_at=now, deactivated_by_import=True)
    _update_ids(reactivate, is_active=True, deactivated_at=None, deactivated_by_import=False)
    for division_id, ids in moves.items():
        _update_ids(ids, division_id=division_id)


# --- enrolments ----------------------------------------------------------------------------------------------

_ENROLMENT_VALUES = ("division_id", "mef_code", "mef_label", "is_apprentice")


def _school_year(establishment: Establishment, state: BaseState, start_year: int) -> SchoolYear:
    year = state.school_years.get(start_year)
    if year is None:
        year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=start_year,
                                                   defaults=SchoolYear.default_values(start_year))
    return year


def _sync_enrolments(plan: Plan, state: BaseState, establishment: Establishment, divisions: dict[str, int],
                     new_rows: dict[int, dict]) -> None:
    """Keeps each learner's enrolments for the files' school year, in a few set-based statements.

    ``User.division`` / ``mef_code`` / ``mef_label`` / ``is_apprentice`` are the denormalised current values
    (written above by the same import); the enrolments are their history:

    - no open enrolment (new learner, back after leaving, learner from before enrolments): one is opened, from
      the entry date when it falls within the year, else from the year's start (from the import's day for a
      learner reactivated);
    - an open enrolment of an earlier year: closed at that year's end, a new one opened for this year;
    - same year, another class or MEF: closed the day before the import's day, a new one opened that day (a
      change on the enrolment's first day corrects it in place); a new MEF label or status is corrected in place;
    - a learner who left or is absent from the file: their enrolment closes on their exit date (or the import's
      day);
    - an open enrolment of a later year than the files' (an old file imported again): left as it is.
    """
    learners = [p for p in plan.people if p.kind == Kind.LEARNERS]
    if not learners or plan.school_year is None:
        return
    year = _school_year(establishment, state, plan.school_year)
    change_day = min(max(plan.today, year.start_date), year.end_date)
    closed: dict[date, list[int]] = {}  # end date -> enrolment ids (one UPDATE per distinct date)
    corrected: list[Enrolment] = []
    opened: list[dict] = []
    for person in learners:
        current = state.enrolments.get(person.user.pk) if person.action != Action.CREATED else None
        if person.action == Action.DEACTIVATED:
            if current is not None:
                left = person.record.exit_date if person.record is not None and person.record.exit_date else None
                closed.setdefault(max(current.start_date, left or plan.today), []).append(current.pk)
            continue
        values = _enrolment_values(person, divisions, new_rows)
        entry_date = values.pop("entry_date")
        if current is not None and current.start_year > year.start_year:
            continue
        if current is not None and current.start_year == year.start_year:
            if (current.division_id, current.mef_code) == (values["division_id"], values["mef_code"]) \
                    or current.start_date >= change_day:
                if any(getattr(current, name) != values[name] for name in _ENROLMENT_VALUES):
                    corrected.append(Enrolment(pk=current.pk, **values))
                continue
            closed.setdefault(change_day - timedelta(days=1), []).append(current.pk)
            start = change_day
        else:
            if current is not None:  # an earlier year's
                closed.setdefault(max(current.start_date, min(current.year_end, year.start_date - timedelta(days=1))),
                                  []).append(current.pk)
            start = _start_day(person, entry_date, year, change_day)
        opened.append({"establishment_id": establishment.pk, "learner_id": person.user.pk,
                       "school_year_id": year.pk, "start_date": start, **values})
    # Closed first: at most one enrolment per learner and year may be open.
    for end_date, ids in closed.items():
        for first in range(0, len(ids), BATCH):
            Enrolment.objects.filter(pk__in=ids[first:first + BATCH]).update(end_date=end_date)
    Enrolment.objects.bulk_update(corrected, list(_ENROLMENT_VALUES), batch_size=BATCH)
    _insert(Enrolment, opened)


def _enrolment_values(person: PersonPlan, divisions: dict[str, int], new_rows: dict[int, dict]) -> dict:
    """The learner's class, MEF and status after this import (what ``User`` now says), and entry date."""
    names = (*_ENROLMENT_VALUES[1:], "entry_date")
    if person.action == Action.CREATED:
        row = new_rows[person.user.pk]
        values = {name: row.get(name, "" if name.startswith("mef") else None) for name in names}
        values["is_apprentice"] = bool(values["is_apprentice"])
    else:
        values = {name: person.updates.get(name, getattr(person.user, name)) for name in names}
    values["division_id"] = divisions.get(person.division) if person.division else None
    return values


def _start_day(person: PersonPlan, entry_date: date | None, year: SchoolYear, change_day: date) -> date:
    if entry_date is not None and year.start_date <= entry_date <= year.end_date:
        return entry_date
    return change_day if person.action == Action.REACTIVATED else year.start_date


def _update_ids(ids: list[int], **values) -> None:
    for start in range(0, len(ids), BATCH):
        User.objects.filter(pk__in=ids[start:start + BATCH]).update(**values)


def _sync_memberships(plan: Plan, state: BaseState, divisions: dict[str, int], groups: dict[str, int]) -> None:
    group_through = User.teaching_groups.through
    division_through = User.divisions_taught.through
    add_groups, drop_groups, add_divisions, drop_divisions = [], [], [], []
    for person in plan.people:
        if not person.synced or person.kind == Kind.GUARDIANS:
            continue
        user_id = person.user.pk
        current = state.user_groups.get(user_id, {}) if person.action != Action.CREATED else {}
        wanted = {groups[code] for code in person.groups if code in groups}
        add_groups += [{"user_id": user_id, "teachinggroup_id": g} for g in wanted - current.keys()]
        drop_groups += [pk for g, pk in current.items() if g not in wanted]
        if person.kind in (Kind.TEACHERS, Kind.HEADS):
            current = state.user_divisions_taught.get(user_id, {}) if person.action != Action.CREATED else {}
            wanted = {divisions[code] for code in person.divisions_taught if code in divisions}
            add_divisions += [{"user_id": user_id, "division_id": d} for d in wanted - current.keys()]
            drop_divisions += [pk for d, pk in current.items() if d not in wanted]
    _delete_ids(group_through, drop_groups)
    _delete_ids(division_through, drop_divisions)
    _insert(group_through, add_groups)
    _insert(division_through, add_divisions)


def _delete_ids(model, ids: list[int]) -> None:
    for start in range(0, len(ids), BATCH):
        model.objects.filter(pk__in=ids[start:start + BATCH]).delete()


def _ref_id(ref: PersonPlan | UserRow) -> int:
    return ref.pk if isinstance(ref, UserRow) else ref.user.pk


def _sync_links(plan: Plan, state: BaseState, establishment: Establishment) -> None:
    if "guardians" not in plan.kinds:
        return
    wanted = {(link.guardian.user.pk, _ref_id(link.learner)): link for link in plan.links}
    learners = {_ref_id(ref) for ref in plan.link_learners}
    to_create, to_update, to_delete = [], [], []
    for (guardian_id, learner_id), (pk, rank, relationship) in state.links.items():
        if learner_id not in learners:
            continue
        link = wanted.get((guardian_id, learner_id))
        if link is None:
            to_delete.append(pk)
        elif (link.legal_rank, link.relationship) != (rank, relationship):
            to_update.append(GuardianLink(pk=pk, legal_rank=link.legal_rank, relationship=link.relationship))
    for key, link in wanted.items():
        if key not in state.links:
            to_create.append({"establishment_id": establishment.pk, "guardian_id": key[0], "learner_id": key[1],
                              "legal_rank": link.legal_rank, "relationship": link.relationship})
    _delete_ids(GuardianLink, to_delete)
    GuardianLink.objects.bulk_update(to_update, ["legal_rank", "relationship"], batch_size=BATCH)
    _insert(GuardianLink, to_create)


def _write_entries(plan: Plan, establishment: Establishment, run: ImportRun) -> None:
    # Accounts created by the run are found by ``imported_at == run.applied_at`` (no row each for thousands).
    entries = [
        ImportRunEntry(establishment=establishment, run=run, user_id=p.user.pk, kind=p.kind, action=p.action,
                       changes="; ".join(p.changes)[:500])
        for p in plan.people if p.action in (Action.DEACTIVATED, Action.REACTIVATED) or p.changes
    ]
    ImportRunEntry.objects.bulk_create(entries, batch_size=BATCH)
