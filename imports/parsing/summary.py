"""What a first import of a bundle would create, computed from parsed data only (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .bundle import ParsedBundle
from .records import Learner


@dataclass(frozen=True, slots=True)
class FirstImportSummary:
    """Counts of the import issue's rules (README of siecle-samples).

    Learners whose exit date is past are not created; guardians are persons linked as legal guardians
    (RESP_LEGAL 1 or 2) to a created learner; teachers are FONCTION ENS, heads FONCTION DIR; divisions and
    groups are the union of the STS structures and the created learners' structures.
    """

    learners: int
    learners_without_ine: int
    guardians: int
    guardian_links: int
    teachers: int
    heads: int
    divisions: int
    groups: int
    learners_left: int  # in the file, exit date past: not created
    learners_without_division: int  # created without a division (to report)


def learners_to_create(bundle: ParsedBundle, today: date) -> tuple[Learner, ...]:
    """Learners of the file that a first import creates: those who have not left before `today`."""
    if bundle.learners is None:
        return ()
    return tuple(learner for learner in bundle.learners.learners if not learner.has_left(today))


def summarise_first_import(bundle: ParsedBundle, today: date) -> FirstImportSummary:
    learners = learners_to_create(bundle, today)
    all_learners = bundle.learners.learners if bundle.learners is not None else ()
    created_ids = {learner.siecle_id for learner in learners}
    links = []
    if bundle.guardians is not None:
        links = [link for link in bundle.guardians.links if link.is_legal and link.learner_siecle_id in created_ids]
    divisions = {learner.division for learner in learners if learner.division}
    groups = {group for learner in learners for group in learner.groups}
    teachers = heads = 0
    if bundle.sts is not None:
        divisions |= {division.code for division in bundle.sts.divisions}
        groups |= {group.code for group in bundle.sts.groups}
        teachers = len(bundle.sts.teachers)
        heads = len(bundle.sts.heads)
    return FirstImportSummary(
        learners=len(learners),
        learners_without_ine=sum(1 for learner in learners if learner.ine is None),
        guardians=len({link.guardian_siecle_id for link in links}),
        guardian_links=len(links),
        teachers=teachers,
        heads=heads,
        divisions=len(divisions),
        groups=len(groups),
        learners_left=len(all_learners) - len(learners),
        learners_without_division=sum(1 for learner in learners if learner.division is None),
    )
