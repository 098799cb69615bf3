"""The analysis: what an import will do, computed from the parsed files and the base, before anything is written.

``load_state`` reads what the import needs from the base (one query per table); ``build_plan`` is then a pure
function of the parsed files, that state and the reference day. The plan lists every user to create, keep,
deactivate or reactivate, the classes and groups to create, and the guardian links; ``apply.apply_plan``
writes exactly that. ``Plan.digest`` identifies the plan: the import checks, under lock, that the base still
gives the same one.

The product's update rules (SPEC §3): identity by the national ids only (STS id for staff; INE, then SIECLE id
for learners; SIECLE PERSONNE_ID for guardians), never by name; people present are kept as they are (login,
password, names unchanged; class, groups and schooling data updated); people of the base absent from the file
are deactivated; people of the file deactivated in the base are reactivated. Learners whose exit date is
past are leavers: not created, deactivated if still active.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from accounts.logins import make_unique_login
from accounts.models import Enrolment, GuardianLink, Profile, User
from establishments.models import Division, Establishment, SchoolYear, TeachingGroup

from .models import Action, ImportRun, Kind, MefLabel
from .parsing import FileKind, Guardian, Learner, ParsedBundle, Problem, StaffMember
from .parsing.errors import error, warning
from .parsing.values import expected_school_year

# Guardians' SIECLE ids (PERSONNE_ID) live in ``User.siecle_id`` with this prefix: PERSONNE_ID and ELEVE_ID are
# two numbering spaces of SIECLE, and the column is unique per establishment.
GUARDIAN_ID_PREFIX = "R"

IMPORTED_FUNCTIONS = {"ENS": Kind.TEACHERS, "DIR": Kind.HEADS}
PROFILE_OF_KIND = {Kind.TEACHERS: Profile.TEACHER, Kind.HEADS: Profile.HEAD, Kind.LEARNERS: Profile.LEARNER,
                   Kind.GUARDIANS: Profile.GUARDIAN}
CIVILITIES = {"M.": "M.", "M": "M.", "MME": "Mme", "MLLE": "Mme"}

# Columns of User the import reads, and writes back with bulk_update for the accounts that change.
USER_FIELDS = (
    "id", "establishment_id", "login", "last_name", "first_name", "birth_date", "profile", "is_active",
    "deactivated_at", "deactivated_by_import", "sts_id", "siecle_id", "ine", "division_id", "mef_code",
    "mef_label", "is_apprentice", "entry_date", "exit_date", "function", "disciplines", "created_by_hand",
)


class UserRow:
    """An account as the import reads it: plain attributes, no model instance (thousands are loaded at once)."""

    __slots__ = USER_FIELDS

    def __init__(self, values: tuple) -> None:
        for name, value in zip(USER_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id

    def as_user(self) -> User:
        """A model instance carrying every loaded column (for ``bulk_update`` of the rows that change)."""
        return User(**{name: getattr(self, name) for name in USER_FIELDS})


@dataclass(frozen=True, slots=True)
class OpenEnrolment:
    """A learner's enrolment still open (no end date), as the import reads it."""

    pk: int
    start_year: int
    year_end: date
    division_id: int | None
    mef_code: str
    mef_label: str
    is_apprentice: bool
    start_date: date


# --- the state of the base --------------------------------------------------------------------------------


@dataclass
class BaseState:
    """What the import needs of the establishment's base, loaded in a fixed number of queries."""

    users: list[UserRow]
    divisions: dict[str, Division]
    groups: dict[str, TeachingGroup]
    group_divisions: set[tuple[int, int]]  # (group id, division id)
    user_groups: dict[int, dict[int, int]]  # user id -> {group id: through row id}
    user_divisions_taught: dict[int, dict[int, int]]  # user id -> {division id: through row id}
    links: dict[tuple[int, int], tuple[int, int, str]]  # (guardian id, learner id) -> (pk, rank, relationship)
    mef_labels: dict[str, str]
    sts_imported: bool
    enrolments: dict[int, OpenEnrolment] = field(default_factory=dict)  # learner id -> open enrolment
    school_years: dict[int, SchoolYear] = field(default_factory=dict)  # start year -> year

    @property
    def division_codes(self) -> dict[int, str]:
        return {d.pk: code for code, d in self.divisions.items()}

    @property
    def group_codes(self) -> dict[int, str]:
        return {g.pk: code for code, g in self.groups.items()}


def load_state(establishment: Establishment) -> BaseState:
    """Reads the establishment's users, classes, groups, memberships and guardian links (inside its scope)."""
    users = [UserRow(values) for values in User.objects.filter(establishment=establishment).order_by("pk")
             .values_list(*USER_FIELDS)]
    divisions = {d.code: d for d in Division.objects.filter(establishment=establishment)}
    groups = {g.code: g for g in TeachingGroup.objects.filter(establishment=establishment)}
    group_through = TeachingGroup.divisions.through
    group_divisions = set(
        group_through.objects.filter(teachinggroup__establishment=establishment)
        .values_list("teachinggroup_id", "division_id")
    )
    user_groups: dict[int, dict[int, int]] = {}
    for pk, user_id, group_id in User.teaching_groups.through.objects.filter(
        user__establishment=establishment
    ).values_list("id", "user_id", "teachinggroup_id"):
        user_groups.setdefault(user_id, {})[group_id] = pk
    user_divisions: dict[int, dict[int, int]] = {}
    for pk, user_id, division_id in User.divisions_taught.through.objects.filter(
        user__establishment=establishment
    ).values_list("id", "user_id", "division_id"):
        user_divisions.setdefault(user_id, {})[division_id] = pk
    links = {
        (g, learner): (pk, rank, relationship)
        for pk, g, learner, rank, relationship in GuardianLink.objects.filter(establishment=establishment)
        .values_list("id", "guardian_id", "learner_id", "legal_rank", "relationship")
    }
    mef_labels = dict(MefLabel.objects.filter(establishment=establishment).values_list("code", "label"))
    sts_imported = ImportRun.objects.filter(
        establishment=establishment, status=ImportRun.Status.APPLIED, includes_sts=True
    ).exists()
    enrolments = {
        learner_id: OpenEnrolment(*values)
        for learner_id, *values in Enrolment.objects.filter(establishment=establishment, end_date__isnull=True)
        .values_list("learner_id", "id", "school_year__start_year", "school_year__end_date", "division_id",
                     "mef_code", "mef_label", "is_apprentice", "start_date")
    }
    school_years = {y.start_year: y for y in SchoolYear.objects.filter(establishment=establishment)}
    return BaseState(users, divisions, groups, group_divisions, user_groups, user_divisions, links, mef_labels,
                     sts_imported, enrolments, school_years)


# --- the plan ------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class PersonPlan:
    """One person of the import and what happens to them."""

    kind: Kind
    action: Action
    user: UserRow | User | None  # the existing account; set to the new (model) one once created
    record: StaffMember | Learner | Guardian | None
    login: str
    last_name: str
    first_name: str
    national_id: str
    # Memberships after the import (set from the file for created, kept and reactivated people).
    division: str | None = None
    groups: tuple[str, ...] = ()
    divisions_taught: tuple[str, ...] = ()
    updates: dict[str, object] = field(default_factory=dict)  # fields of an existing account to change
    changes: list[str] = field(default_factory=list)  # what changes, in French, for the page and report

    @property
    def synced(self) -> bool:
        """Memberships follow the file (not for deactivated people: their data stay as they were)."""
        return self.action != Action.DEACTIVATED

    @property
    def display_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()


@dataclass(eq=False)
class LinkPlan:
    guardian: PersonPlan
    learner: PersonPlan | UserRow
    legal_rank: int
    relationship: str


@dataclass
class Plan:
    source: str
    today: date
    kinds: list[str]
    people: list[PersonPlan] = field(default_factory=list)
    divisions_to_create: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    divisions_kept: list[str] = field(default_factory=list)
    groups_to_create: list[tuple[str, str]] = field(default_factory=list)
    groups_kept: list[str] = field(default_factory=list)
    group_divisions: list[tuple[str, str]] = field(default_factory=list)  # (group code, division code) to add
    links: list[LinkPlan] = field(default_factory=list)
    link_learners: list[PersonPlan | UserRow] = field(default_factory=list)  # learners whose links follow the file
    mef_labels: dict[str, str] = field(default_factory=dict)  # to store (from STS-web)
    problems: list[Problem] = field(default_factory=list)
    ignored_staff: list[StaffMember] = field(default_factory=list)
    leavers: list[Learner] = field(default_factory=list)  # learners of the file who left: not created
    # The school year the files describe (first calendar year): learners' enrolments are kept for it.
    school_year: int | None = None

    @property
    def leavers_not_created(self) -> int:
        return len(self.leavers)

    @property
    def learners_without_division(self) -> list[PersonPlan]:
        """Learners created without a class (the file gives them none): the report names them."""
        return [p for p in self.people
                if p.kind == Kind.LEARNERS and p.action == Action.CREATED and not p.division]

    @property
    def refused(self) -> bool:
        return any(p.is_error for p in self.problems)

    def people_of(self, kind: str, action: str) -> list[PersonPlan]:
        return [p for p in self.people if p.kind == kind and p.action == action]

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        counts = {kind.value: {action.value: 0 for action in Action} for kind in Kind}
        for person in self.people:
            counts[person.kind][person.action] += 1
        counts[Kind.DIVISIONS][Action.CREATED] = len(self.divisions_to_create)
        counts[Kind.DIVISIONS][Action.KEPT] = len(self.divisions_kept)
        counts[Kind.GROUPS][Action.CREATED] = len(self.groups_to_create)
        counts[Kind.GROUPS][Action.KEPT] = len(self.groups_kept)
        return counts

    @property
    def learners_without_ine(self) -> int:
        return sum(
            1 for p in self.people
            if p.kind == Kind.LEARNERS and p.action != Action.DEACTIVATED and p.record is not None
            and p.record.ine is None
        )

    @property
    def digest(self) -> str:
        """Identifies the plan: same files + same base = same digest."""

        def key(ref: PersonPlan | UserRow) -> str:
            if isinstance(ref, UserRow):
                return f"u{ref.pk}"
            return f"u{ref.user.pk}" if ref.user is not None and ref.action != Action.CREATED else \
                f"new:{ref.kind}:{ref.national_id}"

        canonical = {
            "people": [
                [p.kind, p.action, key(p), p.login, p.division, sorted(p.groups), sorted(p.divisions_taught),
                 sorted((k, str(v)) for k, v in p.updates.items())]
                for p in self.people
            ],
            "divisions": self.divisions_to_create,
            "groups": self.groups_to_create,
            "group_divisions": self.group_divisions,
            "links": [[key(link.guardian), key(link.learner), link.legal_rank, link.relationship]
                      for link in self.links],
            "link_learners": [key(ref) for ref in self.link_learners],
            "mefs": sorted(self.mef_labels.items()),
        }
        data = json.dumps(canonical, sort_keys=True, default=str, ensure_ascii=True).encode()
        return hashlib.sha256(data).hexdigest()


def _title(name: str | None) -> str:
    """STS-web writes first names in capitals; show them as people write them."""
    name = (name or "").strip()
    return name.title() if name.isupper() else name


def _diff(label: str, before: set[str], after: set[str]) -> list[str]:
    added, removed = sorted(after - before), sorted(before - after)
    if not added and not removed:
        return []
    parts = [f"+ {code}" for code in added] + [f"− {code}" for code in removed]
    return [f"{label} : {', '.join(parts)}"]


class _Planner:
    def __init__(self, state: BaseState, today: date, source: str, kinds: list[str]) -> None:
        self.state = state
        self.today = today
        self.plan = Plan(source=source, today=today, kinds=kinds)
        self.taken_logins = {u.login.lower() for u in state.users}
        self.division_codes = state.division_codes
        self.group_codes = state.group_codes
        self.wanted_divisions: dict[str, str] = {}  # code -> label, in order of appearance
        self.wanted_groups: dict[str, str] = {}

    # structures

    def want_division(self, code: str | None, label: str | None = None) -> None:
        if code and (code not in self.wanted_divisions or (label and not self.wanted_divisions[code])):
            self.wanted_divisions[code] = label or ""

    def want_group(self, code: str, label: str | None = None) -> None:
        if code and (code not in self.wanted_groups or (label and not self.wanted_groups[code])):
            self.wanted_groups[code] = label or ""

    def finish_structures(self) -> None:
        plan = self.plan
        for code, label in self.wanted_divisions.items():
            if code in self.state.divisions:
                plan.divisions_kept.append(code)
            else:
                plan.divisions_to_create.append((code, label))
        for code, label in self.wanted_groups.items():
            if code in self.state.groups:
                plan.groups_kept.append(code)
            else:
                plan.groups_to_create.append((code, label))

    # people

    def new_person(self, kind: Kind, record, last_name: str, first_name: str, national_id: str) -> PersonPlan:
        login = make_unique_login(first_name, last_name, self.taken_logins)
        return PersonPlan(kind, Action.CREATED, None, record, login, last_name, first_name, national_id)

    def existing_person(self, kind: Kind, action: Action, user: UserRow, record, national_id: str) -> PersonPlan:
        return PersonPlan(kind, action, user, record, user.login, user.last_name, user.first_name, national_id)

    def user_groups(self, user: UserRow) -> set[str]:
        return {self.group_codes[g] for g in self.state.user_groups.get(user.pk, {})}

    def user_divisions_taught(self, user: UserRow) -> set[str]:
        return {self.division_codes[d] for d in self.state.user_divisions_taught.get(user.pk, {})}


# --- STS-web -------------------------------------------------------------------------------------------------


def _plan_staff(planner: _Planner, bundle: ParsedBundle) -> None:
    sts = bundle.sts
    assert sts is not None
    plan, state = planner.plan, planner.state
    for division in sts.divisions:
        planner.want_division(division.code, division.label)
    for group in sts.groups:
        planner.want_group(group.code, group.label)
        for division_code in group.division_codes:
            planner.want_division(division_code)
    plan.mef_labels = {code: mef.label for code, mef in sts.mefs.items()
                       if mef.label and state.mef_labels.get(code) != mef.label}
    for group in sts.groups:
        group_obj = state.groups.get(group.code)
        for division_code in group.division_codes:
            division_obj = state.divisions.get(division_code)
            if group_obj is None or division_obj is None or (group_obj.pk, division_obj.pk) not in \
                    state.group_divisions:
                plan.group_divisions.append((group.code, division_code))

    by_sts_id = {u.sts_id: u for u in state.users if u.sts_id}
    seen: set[int] = set()
    for member in sts.staff:
        kind = IMPORTED_FUNCTIONS.get(member.function or "")
        if kind is None:
            plan.ignored_staff.append(member)
            continue
        taught = tuple(dict.fromkeys((*member.divisions, *member.main_teacher_of)))
        for code in taught:
            planner.want_division(code)
        for code in member.groups:
            planner.want_group(code)
        disciplines = "; ".join(d.label or d.code for d in member.disciplines)[:300]
        user = by_sts_id.get(member.sts_id)
        if user is None:
            person = planner.new_person(kind, member, member.last_name, _title(member.first_name), member.sts_id)
        else:
            seen.add(user.pk)
            action = Action.KEPT if user.is_active else Action.REACTIVATED
            person = planner.existing_person(kind, action, user, member, member.sts_id)
            person.updates = {k: v for k, v in (("function", member.function or ""), ("disciplines", disciplines))
                              if getattr(user, k) != v}
            person.changes = (_diff("classes", planner.user_divisions_taught(user), set(taught))
                              + _diff("groupes", planner.user_groups(user), set(member.groups)))
        person.divisions_taught = taught
        person.groups = member.groups
        plan.people.append(person)
    for user in state.users:
        if user.sts_id and user.pk not in seen and user.is_active:
            kind = Kind.HEADS if user.profile == Profile.HEAD else Kind.TEACHERS
            person = planner.existing_person(kind, Action.DEACTIVATED, user, None, user.sts_id)
            person.changes = ["absent du fichier STS-web : accès suspendu"]
            plan.people.append(person)


# --- learners (SIECLE or CSV) --------------------------------------------------------------------------------


def _key(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", (text or "").strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c) and c.isalnum())


def _plan_learners(planner: _Planner, learners: tuple[Learner, ...], file: str, *, from_csv: bool) -> None:
    plan, state = planner.plan, planner.state
    by_ine = {u.ine: u for u in state.users if u.ine}
    by_siecle_id = {u.siecle_id: u for u in state.users
                    if u.siecle_id and not u.siecle_id.startswith(GUARDIAN_ID_PREFIX)}
    by_identity: dict[tuple, list[UserRow]] = {}
    if from_csv:
        # Without national ids, a CSV learner is recognised by name, first name AND birth date.
        for u in state.users:
            if u.profile == Profile.LEARNER and not u.siecle_id:
                by_identity.setdefault((_key(u.last_name), _key(u.first_name), u.birth_date), []).append(u)
    ine_owner = {u.ine: u.pk for u in state.users if u.ine}
    siecle_owner = {u.siecle_id: u.pk for u in state.users if u.siecle_id}
    seen: set[int] = set()
    for learner in learners:
        user = by_ine.get(learner.ine) if learner.ine else None
        if user is None and learner.siecle_id:
            user = by_siecle_id.get(learner.siecle_id)
        if user is None and from_csv:
            candidates = [u for u in by_identity.get(
                (_key(learner.last_name), _key(learner.first_name), learner.birth_date), []) if u.pk not in seen]
            user = candidates[0] if candidates else None
        if user is not None and user.pk in seen:
            plan.problems.append(error(file, "cet apprenant désigne le même compte qu'un autre apprenant du fichier "
                                       f"({user.login}) : vérifiez l'INE.", line=learner.line,
                                       record=learner.record))
            continue
        left = learner.has_left(planner.today)
        national_id = learner.siecle_id or learner.ine or ""
        last_name = learner.display_last_name
        if user is None:
            if left:
                plan.leavers.append(learner)
                continue
            person = planner.new_person(Kind.LEARNERS, learner, last_name, learner.first_name, national_id)
        else:
            seen.add(user.pk)
            if left and not user.is_active:
                continue  # already gone
            action = Action.DEACTIVATED if left else (Action.KEPT if user.is_active else Action.REACTIVATED)
            person = planner.existing_person(Kind.LEARNERS, action, user, learner, national_id)
            if left:
                if user.exit_date != learner.exit_date:
                    person.updates["exit_date"] = learner.exit_date
                person.changes = [f"sorti le {learner.exit_date:%d/%m/%Y}"]
            else:
                person.updates = _learner_updates(planner, user, learner, ine_owner, siecle_owner, file)
                old_division = planner.division_codes.get(user.division_id) if user.division_id else None
                if old_division != learner.division:
                    person.changes.append(f"classe : {old_division or 'aucune'} → {learner.division or 'aucune'}")
                person.changes += _diff("groupes", planner.user_groups(user), set(learner.groups))
        if person.action != Action.DEACTIVATED:
            person.division = learner.division
            person.groups = learner.groups
            planner.want_division(learner.division)
            for code in learner.groups:
                planner.want_group(code)
        plan.people.append(person)
    if from_csv:
        return  # a CSV file may list part of the learners: nobody is deactivated for being absent
    for user in state.users:
        if (user.profile == Profile.LEARNER and user.siecle_id and user.pk not in seen and user.is_active
                and not user.siecle_id.startswith(GUARDIAN_ID_PREFIX)):
            person = planner.existing_person(Kind.LEARNERS, Action.DEACTIVATED, user, None, user.siecle_id)
            person.changes = ["absent du fichier des élèves"]
            plan.people.append(person)


def _learner_updates(planner: _Planner, user: UserRow, learner: Learner, ine_owner: dict, siecle_owner: dict,
                     file: str) -> dict[str, object]:
    """Schooling data follow the file; login, password, names and birth date never change."""
    wanted: dict[str, object] = {
        "mef_code": learner.mef_code or "",
        "is_apprentice": learner.is_apprentice,
        "entry_date": learner.entry_date,
        "exit_date": learner.exit_date,
    }
    if learner.mef_code:
        wanted["mef_label"] = (learner.mef_label or planner.state.mef_labels.get(learner.mef_code)
                               or planner.plan.mef_labels.get(learner.mef_code) or user.mef_label)
    if learner.siecle_id is None:  # CSV: no SIECLE data to follow
        wanted = {}
    if learner.ine and user.ine != learner.ine:
        if ine_owner.get(learner.ine, user.pk) == user.pk:
            wanted["ine"] = learner.ine
        else:
            planner.plan.problems.append(warning(file, f"INE {learner.ine} déjà porté par un autre compte : "
                                                 "INE non modifié.", line=learner.line, record=learner.record))
    if learner.siecle_id and user.siecle_id != learner.siecle_id:
        if siecle_owner.get(learner.siecle_id, user.pk) == user.pk:
            wanted["siecle_id"] = learner.siecle_id
        else:
            planner.plan.problems.append(warning(file, f"identifiant SIECLE {learner.siecle_id} déjà porté par un "
                                                 "autre compte : non modifié.", line=learner.line,
                                                 record=learner.record))
    return {k: v for k, v in wanted.items() if getattr(user, k) != v}


# --- guardians -----------------------------------------------------------------------------------------------


def _plan_guardians(planner: _Planner, bundle: ParsedBundle) -> None:
    plan, state = planner.plan, planner.state
    guardians = bundle.guardians
    assert guardians is not None
    if bundle.learners is not None:
        targets: dict[str, PersonPlan | UserRow] = {
            p.record.siecle_id: p for p in plan.people
            if p.kind == Kind.LEARNERS and p.action != Action.DEACTIVATED and p.record is not None
        }
    else:  # the guardians' file alone: linked to the learners already in the base
        targets = {u.siecle_id: u for u in state.users
                   if u.profile == Profile.LEARNER and u.is_active and u.siecle_id}
    plan.link_learners = list(targets.values())
    persons = {g.siecle_id: g for g in guardians.guardians}
    legal = [link for link in guardians.links
             if link.is_legal and link.learner_siecle_id in targets and link.guardian_siecle_id in persons]
    by_id = {u.siecle_id[len(GUARDIAN_ID_PREFIX):]: u for u in state.users
             if u.siecle_id and u.siecle_id.startswith(GUARDIAN_ID_PREFIX)}
    wanted = dict.fromkeys(link.guardian_siecle_id for link in legal)
    people: dict[str, PersonPlan] = {}
    for guardian_id in sorted(wanted, key=lambda gid: persons[gid].line or 0):
        record = persons[guardian_id]
        user = by_id.get(guardian_id)
        if user is None:
            person = planner.new_person(Kind.GUARDIANS, record, record.display_last_name,
                                        _title(record.first_name), guardian_id)
        else:
            action = Action.KEPT if user.is_active else Action.REACTIVATED
            person = planner.existing_person(Kind.GUARDIANS, action, user, record, guardian_id)
        people[guardian_id] = person
        plan.people.append(person)
    for link in legal:
        plan.links.append(LinkPlan(people[link.guardian_siecle_id], targets[link.learner_siecle_id],
                                   link.legal_rank, (link.relationship_label or "")[:60]))
    for guardian_id, user in by_id.items():
        if guardian_id not in people and user.is_active:
            person = planner.existing_person(Kind.GUARDIANS, Action.DEACTIVATED, user, None, guardian_id)
            person.changes = ["plus responsable légal d'aucun apprenant présent"]
            plan.people.append(person)


# --- entry point ---------------------------------------------------------------------------------------------


def build_plan(bundle: ParsedBundle, state: BaseState, today: date) -> Plan:
    """The plan of a SIECLE / STS-web import: STS-web first, then learners, then guardians."""
    kinds = [kind.value for kind, result in ((FileKind.STS, bundle.sts), (FileKind.LEARNERS, bundle.learners),
                                            (FileKind.GUARDIANS, bundle.guardians)) if result is not None]
    planner = _Planner(state, today, ImportRun.Source.SIECLE, kinds)
    plan = planner.plan
    plan.problems.extend(bundle.problems)
    if not kinds and not bundle.problems:
        plan.problems.append(error("", "aucun fichier reçu : choisissez au moins un fichier."))
    if plan.refused:
        return plan
    siecle = bundle.learners or bundle.guardians
    if bundle.sts is None and siecle is not None and not state.sts_imported:
        file = siecle.header.file if siecle.header else ""
        plan.problems.append(error(
            file, "le fichier des enseignants (STS-web, sts_emp_<UAI>_<année>.xml) doit être importé en premier : "
            "importez-le d'abord, puis les fichiers des élèves et des responsables (ou envoyez-les ensemble)."))
        return plan
    if bundle.sts is not None:
        _plan_staff(planner, bundle)
    if bundle.learners is not None:
        header = bundle.learners.header
        file = header.file if header else ""
        sts_year = bundle.sts.header.school_year if bundle.sts is not None and bundle.sts.header else None
        plan.school_year = (header.school_year if header else None) or sts_year or expected_school_year(today)
        _plan_learners(planner, bundle.learners.learners, file, from_csv=False)
    if bundle.guardians is not None:
        _plan_guardians(planner, bundle)
    planner.finish_structures()
    return plan


def build_csv_plan(learners: tuple[Learner, ...], problems: tuple[Problem, ...], file: str, state: BaseState,
                   today: date) -> Plan:
    """The plan of a « Fichiers hors SIECLE » CSV import: create or keep learners, nobody deactivated."""
    planner = _Planner(state, today, ImportRun.Source.CSV, ["csv"])
    planner.plan.problems.extend(problems)
    planner.plan.school_year = expected_school_year(today)  # a CSV file says nothing of its year
    if planner.plan.refused:
        return planner.plan
    _plan_learners(planner, learners, file, from_csv=True)
    planner.finish_structures()
    return planner.plan


# --- what the page shows --------------------------------------------------------------------------------------

LIST_LIMIT = 1000  # per kind and action on the analysis page; the report after import lists everyone


def problem_dict(problem: Problem) -> dict:
    return {"file": problem.file, "line": problem.line, "record": problem.record, "message": problem.message,
            "severity": problem.severity, "text": problem.text}


def plan_summary(plan: Plan) -> dict:
    """Counts and lists for the analysis page (JSON, stored on the ImportRun)."""
    lists: dict[str, dict[str, dict]] = {}
    for kind in (Kind.TEACHERS, Kind.HEADS, Kind.LEARNERS, Kind.GUARDIANS):
        for action in Action:
            people = plan.people_of(kind, action)
            if action == Action.KEPT:
                people = [p for p in people if p.changes]
            rows = [{"name": p.display_name, "login": p.login, "id": p.national_id, "division": p.division or "",
                     "changes": "; ".join(p.changes)} for p in people[:LIST_LIMIT]]
            lists.setdefault(kind.value, {})[action.value] = {"rows": rows, "more": max(0, len(people) - LIST_LIMIT)}
    return {
        "counts": plan.counts,
        "lists": lists,
        "divisions": [code for code, _label in plan.divisions_to_create],
        "groups": [code for code, _label in plan.groups_to_create],
        "links": len(plan.links),
        "learners_without_ine": plan.learners_without_ine,
        "leavers_not_created": plan.leavers_not_created,
        # Named in the report too (SPEC §3): who was left out, who has no class yet.
        "leavers": [{"name": f"{learner.display_last_name.upper()} {learner.first_name}".strip(),
                     "last_name": learner.display_last_name, "first_name": learner.first_name,
                     "id": learner.siecle_id or learner.ine or "",
                     "exit_date": learner.exit_date.strftime("%d/%m/%Y") if learner.exit_date else ""}
                    for learner in plan.leavers],
        "without_division": [{"name": p.display_name, "login": p.login, "id": p.national_id}
                             for p in plan.learners_without_division],
        "ignored_staff": [f"{m.record} (fonction {m.function or 'non renseignée'})" for m in plan.ignored_staff],
    }
