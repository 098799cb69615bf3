"""Cohorts: which diploma version and class level each class follows, proposed from its learners' MEF codes.

``propose_cohorts(establishment)`` runs after each SIECLE import (``imports`` calls it inside the import's
transaction) and returns what the import report shows: which classes got which diploma, and which MEF codes
matched no subscribed diploma. The rules:

- a learner's MEF code matches the longest ``MefCode`` (a full code or a prefix) of a subscribed diploma's
  versions; a class follows the version most of its active learners match (ties: the diploma code, then the
  newest version);
- the class level is the matched ``MefCode``'s level, or read from the MEF code itself (its 9th and 10th
  characters: the length of the course and the year in it: 3 years → Seconde, Première, Terminale; 2 years →
  1re année, 2e année);
- a cohort changed by a person (DDFPT, chef) is kept as it is;
- a cohort already on the proposed diploma keeps its version (a newer version loaded since does not move it),
  only its level follows the learners;
- a class none of whose learners matches keeps its cohort, if it has one.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from accounts.models import Profile, User
from establishments.models import Division, Establishment

from .establishment_models import Cohort, Subscription
from .models import ClassLevel, MefCode

_LEVELS_BY_LENGTH = {
    "3": {"1": ClassLevel.SECONDE, "2": ClassLevel.PREMIERE, "3": ClassLevel.TERMINALE},
    "2": {"1": ClassLevel.ANNEE_1, "2": ClassLevel.ANNEE_2},
}


def level_from_mef(mef: str) -> str:
    """The class level a SIECLE MEF code (11 characters) says: its 9th character is the length of the course in
    years, its 10th the year (``2472520531`` + ``1``: 3 years, 1st year → Seconde); "" when it says nothing."""
    if len(mef) < 10:
        return ""
    return _LEVELS_BY_LENGTH.get(mef[8], {}).get(mef[9], "")


@dataclass(frozen=True)
class Match:
    version_id: int
    version_label: str
    diploma_code: str
    first_session: int
    class_level: str


def _matcher(establishment: Establishment):
    """A function MEF code → Match | None over the subscribed diplomas' MEF codes (one query)."""
    rows = list(MefCode.objects.filter(version__diploma__subscriptions__establishment=establishment)
                .values_list("code", "class_level", "version_id", "version__label", "version__diploma__code",
                             "version__first_session"))
    by_code = {code: (level, vid, label, diploma, session or 0) for code, level, vid, label, diploma, session in rows}
    lengths = sorted({len(code) for code in by_code}, reverse=True)

    def match(mef: str) -> Match | None:
        for length in lengths:
            found = by_code.get(mef[:length])
            if found:
                level, vid, label, diploma, session = found
                return Match(vid, label, diploma, session, level or level_from_mef(mef))
        return None

    return match


def propose_cohorts(establishment: Establishment, *, actor_name: str = "Import SIECLE") -> dict:
    """Ties each class to a diploma version from its learners' MEF codes; returns the report (JSON-ready):
    ``{"classes": [{"division", "version", "level", "status", "mef_codes"}], "unmatched": [{"mef", "learners",
    "divisions"}], "subscribed": bool}``. Three or four queries, plus one write per class that changes."""
    match = _matcher(establishment)
    per_division: dict[int, Counter] = {}
    per_division_mefs: dict[int, dict[Match, set[str]]] = {}
    unmatched: dict[str, dict] = {}
    division_codes = dict(Division.objects.filter(establishment=establishment).values_list("pk", "code"))
    learners = (User.objects.filter(establishment=establishment, profile=Profile.LEARNER, is_active=True)
                .exclude(mef_code="").values_list("division_id", "mef_code").annotate(n=Count("pk"))
                .order_by("division_id", "mef_code"))
    for division_id, mef, count in learners:
        found = match(mef)
        if found is None:
            entry = unmatched.setdefault(mef, {"mef": mef, "learners": 0, "divisions": set()})
            entry["learners"] += count
            if division_id:
                entry["divisions"].add(division_codes.get(division_id, ""))
            continue
        if division_id is None:
            continue
        per_division.setdefault(division_id, Counter())[found] += count
        per_division_mefs.setdefault(division_id, {}).setdefault(found, set()).add(mef)

    existing = {c.division_id: c for c in Cohort.objects.filter(establishment=establishment)
                .select_related("version__diploma")}
    report = []
    for division_id, counts in sorted(per_division.items(), key=lambda item: division_codes.get(item[0], "")):
        best = sorted(counts.items(), key=lambda item: (-item[1], item[0].diploma_code, -item[0].first_session,
                                                        item[0].version_label))[0][0]
        mefs = sorted(per_division_mefs[division_id][best])
        cohort = existing.get(division_id)
        if cohort is None:
            cohort = Cohort.objects.create(establishment=establishment, division_id=division_id,
                                           version_id=best.version_id, class_level=best.class_level,
                                           mef_codes=mefs, updated_by_name=actor_name)
            status = "nouvelle"
        elif cohort.source == Cohort.Source.CHOSEN:
            status = "choisie (conservée)"
        elif cohort.version.diploma.code == best.diploma_code:
            changed = cohort.class_level != best.class_level or cohort.mef_codes != mefs
            if changed:
                cohort.class_level, cohort.mef_codes, cohort.updated_by_name = best.class_level, mefs, actor_name
                cohort.save(update_fields=["class_level", "mef_codes", "updated_by_name", "updated_at"])
            status = "inchangée" if cohort.version_id == best.version_id else "conservée sur sa version"
        else:
            cohort.version_id, cohort.class_level, cohort.mef_codes = best.version_id, best.class_level, mefs
            cohort.updated_by_name = actor_name
            cohort.save(update_fields=["version", "class_level", "mef_codes", "updated_by_name", "updated_at"])
            status = "changée"
        report.append({
            "division": division_codes.get(division_id, ""),
            "version": best.version_label if status in ("nouvelle", "changée") else cohort.version.label,
            "level": ClassLevel(cohort.class_level).label if cohort.class_level else "",
            "status": status,
            "mef_codes": mefs,
        })
    return {
        "classes": report,
        "unmatched": [{**entry, "divisions": sorted(d for d in entry["divisions"] if d)}
                      for _mef, entry in sorted(unmatched.items())],
        "subscribed": Subscription.objects.filter(establishment=establishment).exists(),
    }
