"""Parsing of the national files (SIECLE, STS-web) and of « hors SIECLE » CSV files. No database, no Django.

Entry point: `read_uploads(files, expected_uai, today)` → `ParsedBundle`. Per-kind functions: `parse_sts`,
`parse_learners`, `parse_guardians`, `parse_learners_csv`. Every problem is a `Problem`; `str(problem)` is
the French sentence to show (file, line, record, message).
"""

from .bundle import (
    ParsedBundle,
    Upload,
    parse_guardians,
    parse_learners,
    parse_sts,
    read_uploads,
    with_mef_labels,
)
from .csv_learners import parse_learners_csv
from .detect import detect_kind
from .errors import Problem, Severity
from .records import (
    Address,
    CsvLearnersResult,
    Discipline,
    Division,
    FileHeader,
    FileKind,
    Group,
    Guardian,
    GuardianLink,
    GuardiansResult,
    Learner,
    LearnersResult,
    Mef,
    Service,
    StaffMember,
    StsResult,
    Subject,
)
from .safety import DEFAULT_LIMITS, Limits
from .summary import FirstImportSummary, learners_to_create, summarise_first_import
from .values import expected_school_year

__all__ = [
    "DEFAULT_LIMITS",
    "Address",
    "CsvLearnersResult",
    "Discipline",
    "Division",
    "FileHeader",
    "FileKind",
    "FirstImportSummary",
    "Group",
    "Guardian",
    "GuardianLink",
    "GuardiansResult",
    "Learner",
    "LearnersResult",
    "Limits",
    "Mef",
    "ParsedBundle",
    "Problem",
    "Service",
    "Severity",
    "StaffMember",
    "StsResult",
    "Subject",
    "Upload",
    "detect_kind",
    "expected_school_year",
    "learners_to_create",
    "parse_guardians",
    "parse_learners",
    "parse_learners_csv",
    "parse_sts",
    "read_uploads",
    "summarise_first_import",
    "with_mef_labels",
]
