"""Reads of the imports module: history, report lines. Query counts do not grow with the number of rows."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import GuardianLink, Profile, User
from establishments.models import Division, Establishment

from .models import Action, ImportRun, ImportRunEntry, Kind


def import_history(establishment: Establishment) -> QuerySet[ImportRun]:
    """Every import of the establishment, newest first (without the large JSON columns)."""
    return ImportRun.objects.filter(establishment=establishment).defer("summary", "problems")


def import_run_get(establishment: Establishment, pk: int) -> ImportRun:
    """The run, or 404 (another establishment's run does not exist here)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ImportRun.objects.select_related("establishment"), establishment=establishment,
                             pk=pk)


@dataclass
class ReportLine:
    kind: str
    action: str
    user: User
    changes: str = ""
    password: str = ""


KIND_OF_PROFILE = {Profile.HEAD: Kind.HEADS, Profile.LEARNER: Kind.LEARNERS, Profile.GUARDIAN: Kind.GUARDIANS}
SECTION_ORDER = [(kind, action) for kind in (Kind.HEADS, Kind.TEACHERS, Kind.LEARNERS, Kind.GUARDIANS)
                 for action in (Action.CREATED, Action.REACTIVATED, Action.KEPT, Action.DEACTIVATED)]
REPORT_PAGE_SIZE = 100


def _with_report_data(users: QuerySet, kind: str | None = None) -> QuerySet:
    """Users with the groups and classes taught the report shows, as plain lists (``report_groups``,
    ``report_divisions``: no queryset built per row); with ``kind``, only what that kind's table shows.
    The learners of guardians (``report_links``) are attached by ``_lines``."""
    groups = Prefetch("teaching_groups", to_attr="report_groups")
    divisions = Prefetch("divisions_taught", to_attr="report_divisions")
    related = {Kind.LEARNERS: [groups], Kind.GUARDIANS: [], Kind.TEACHERS: [divisions],
               Kind.HEADS: [divisions]}.get(kind, [groups, divisions])
    return users.prefetch_related(*related)


def _learner_names(guardian_ids: list[int]) -> dict[int, list[str]]:
    """Each guardian's learners, « NOM Prénom », legal rank first: one query of names, no object per link."""
    names: dict[int, list[str]] = {}
    rows = (GuardianLink.objects.filter(guardian_id__in=guardian_ids)
            .order_by("legal_rank", "learner__last_name", "learner__first_name")
            .values_list("guardian_id", "learner__last_name", "learner__first_name"))
    for guardian_id, last_name, first_name in rows:
        names.setdefault(guardian_id, []).append(f"{last_name.upper()} {first_name}".strip())
    return names


def _divisions(run: ImportRun) -> dict[int, Division]:
    """The establishment's classes, read once per report (kept on the run object of the request): every
    section and chunk of the report shows them."""
    divisions = getattr(run, "_report_divisions", None)
    if divisions is None:
        divisions = {division.pk: division for division in Division.objects.filter(establishment=run.establishment_id)}
        run._report_divisions = divisions
    return divisions


def _lines(run: ImportRun, kind: str, action: str, rows: list) -> list[ReportLine]:
    """Report lines for users (or entries) read from the base. Their establishment (for the initial password),
    class and guardians' learners come from one read each, not one object per row."""
    if not rows:
        return []
    divisions = _divisions(run)
    pairs = [(row, "") if isinstance(row, User) else (row.user, row.changes) for row in rows]
    guardians = [user.pk for user, _changes in pairs if user.profile == Profile.GUARDIAN]
    names = _learner_names(guardians) if guardians else {}
    lines = []
    for user, changes in pairs:
        user.establishment = run.establishment
        user.division = divisions.get(user.division_id)
        user.report_links = names.get(user.pk, [])
        lines.append(ReportLine(kind, action, user, changes))
    return lines


def _created(run: ImportRun, kind: str | None = None) -> QuerySet[User]:
    """The users the run created: those whose ``imported_at`` is the run's ``applied_at``."""
    users = User.objects.filter(establishment=run.establishment_id, imported_at=run.applied_at)
    if kind is None:
        return users
    profiles = [profile for profile, of_kind in KIND_OF_PROFILE.items() if of_kind == kind]
    return users.filter(profile__in=profiles) if profiles else users.exclude(profile__in=list(KIND_OF_PROFILE))


def report_section_counts(run: ImportRun) -> list[dict]:
    """The report's sections (kind then action, in the product's order) with their number of lines: two
    queries, whatever the size of the import."""
    if run.applied_at is None:
        return []
    counts: dict[tuple[str, str], int] = {}
    for row in _created(run).order_by().values("profile").annotate(n=Count("pk")):
        key = (KIND_OF_PROFILE.get(row["profile"], Kind.TEACHERS), Action.CREATED)
        counts[key] = counts.get(key, 0) + row["n"]
    for row in ImportRunEntry.objects.filter(run=run).order_by().values("kind", "action").annotate(n=Count("pk")):
        counts[(row["kind"], row["action"])] = row["n"]
    return [{"kind": kind, "action": action, "slug": f"{kind}-{action}", "title": section_title(kind, action),
             "count": counts[(kind, action)]} for kind, action in SECTION_ORDER if counts.get((kind, action))]


# What a line of the CSV reads of a user (imports.report.report_rows, User.initial_password): thousands of users
# are read for one CSV, each built from these columns only (the 35 of the model cost ~3 times as much to build).
CSV_USER_COLUMNS = ("pk", "password", "establishment_id", "login", "last_name", "first_name", "birth_date",
                    "profile", "is_active", "date_joined", "division_id")


def _csv_columns(users: QuerySet, full: bool) -> QuerySet:
    return users.only(*CSV_USER_COLUMNS) if full else users


def report_section_lines(run: ImportRun, kind: str, action: str, offset: int = 0,
                         limit: int = REPORT_PAGE_SIZE, *, full: bool = False) -> list[ReportLine]:
    """One page of one section in a fixed number of queries (the page's users, then one per related list):
    what the section's table shows, or with ``full`` (the CSV) class, groups, classes taught and learners."""
    if run.applied_at is None:
        return []
    shown = None if full else kind
    if action == Action.CREATED:
        users = _with_report_data(_csv_columns(_created(run, kind), full), shown).order_by(
            "last_name", "first_name", "pk")
        return _lines(run, kind, action, list(users[offset:offset + limit]))
    users = _with_report_data(_csv_columns(User.objects.filter(establishment=run.establishment_id), full), shown)
    entries = (ImportRunEntry.objects.filter(run=run, kind=kind, action=action)
               .prefetch_related(Prefetch("user", queryset=users))
               .order_by("user__last_name", "user__first_name", "pk"))
    return _lines(run, kind, action, list(entries[offset:offset + limit]))


def iter_report_lines(run: ImportRun, chunk: int = 2000) -> Iterator[ReportLine]:
    """Every line of the report, section after section, read ``chunk`` lines at a time (for the CSV stream:
    memory and each query stay bounded whatever the size of the import)."""
    for section in report_section_counts(run):
        for offset in range(0, section["count"], chunk):
            yield from report_section_lines(run, section["kind"], section["action"], offset, chunk, full=True)


def section_title(kind: str, action: str) -> str:
    kind_label = Kind(kind).label.lower()
    titles = {
        Action.CREATED: f"{Kind(kind).label} créés",
        Action.REACTIVATED: f"{Kind(kind).label} réactivés",
        Action.KEPT: f"{Kind(kind).label} conservés dont la classe ou les groupes changent",
        Action.DEACTIVATED: f"{Kind(kind).label} désactivés",
    }
    return titles.get(action, kind_label)


def count_rows(counts: dict) -> list[dict]:
    """The counts table: one row per kind, in French."""
    rows = []
    for kind in Kind:
        figures = counts.get(kind.value) or {}
        rows.append({"label": kind.label, **{a.value: figures.get(a.value, 0) for a in Action}})
    return rows


def analysis_lists(summary: dict) -> list[dict]:
    """The analysis page's lists (who is created, kept with changes, deactivated, reactivated)."""
    lists = []
    for kind in (Kind.HEADS, Kind.TEACHERS, Kind.LEARNERS, Kind.GUARDIANS):
        for action in (Action.CREATED, Action.REACTIVATED, Action.KEPT, Action.DEACTIVATED):
            data = (summary.get("lists") or {}).get(kind.value, {}).get(action.value) or {}
            if data.get("rows"):
                lists.append({"title": section_title(kind, action).replace(" créés", " à créer")
                              .replace(" réactivés", " à réactiver").replace(" désactivés", " à désactiver"),
                              "kind": kind.value, "action": action.value, "rows": data["rows"],
                              "more": data.get("more", 0)})
    return lists
