"""Reads of the imports module: history, report lines. Query counts do not grow with the number of rows."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import GuardianLink, Profile, User
from establishments.models import Establishment

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


def _with_report_data(users: QuerySet) -> QuerySet:
    links = GuardianLink.objects.select_related("learner").order_by("legal_rank", "learner__last_name")
    return users.select_related("division", "establishment").prefetch_related(
        "teaching_groups", "divisions_taught", Prefetch("learner_links", queryset=links))


def report_lines(run: ImportRun) -> list[ReportLine]:
    """Everyone the run created, deactivated, reactivated or moved, in a fixed number of queries."""
    if run.applied_at is None:
        return []
    created = _with_report_data(User.objects.filter(establishment=run.establishment_id,
                                                    imported_at=run.applied_at))
    lines = [ReportLine(KIND_OF_PROFILE.get(user.profile, Kind.TEACHERS), Action.CREATED, user)
             for user in created.order_by("last_name", "first_name", "pk")]
    users = User.objects.filter(establishment=run.establishment_id)
    entries = ImportRunEntry.objects.filter(run=run).prefetch_related(Prefetch("user", queryset=_with_report_data(
        users))).order_by("user__last_name", "user__first_name", "pk")
    lines += [ReportLine(entry.kind, entry.action, entry.user, entry.changes) for entry in entries]
    return lines


def report_sections(run: ImportRun) -> list[dict]:
    """The report grouped by kind then action, in the order the product shows them."""
    grouped: dict[tuple[str, str], list[ReportLine]] = {}
    for line in report_lines(run):
        grouped.setdefault((line.kind, line.action), []).append(line)
    sections = []
    for kind in (Kind.HEADS, Kind.TEACHERS, Kind.LEARNERS, Kind.GUARDIANS):
        for action in (Action.CREATED, Action.REACTIVATED, Action.KEPT, Action.DEACTIVATED):
            entries = grouped.get((kind, action))
            if entries:
                sections.append({"kind": kind, "action": action, "title": section_title(kind, action),
                                 "entries": entries})
    return sections


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
