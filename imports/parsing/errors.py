"""Problems found while reading an uploaded file, and the exception that stops reading it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: `error` refuses the file, `warning` is shown but the file is accepted.

    `message` says what is wrong (French); `str(problem)` adds where: file, line and record.
    """

    file: str
    line: int | None
    record: str | None
    message: str
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def text(self) -> str:
        """Full French sentence: « fichier, ligne N, record : message »."""
        where = [self.file or "fichier sans nom"]
        if self.line:
            where.append(f"ligne {self.line}")
        if self.record:
            where.append(self.record)
        return f"{', '.join(where)} : {self.message}"

    def __str__(self) -> str:
        return self.text


class ParseRefused(Exception):
    """Raised inside the package to stop reading a file; carries the refusal as a Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text)
        self.problem = problem


def error(file: str, message: str, *, line: int | None = None, record: str | None = None) -> Problem:
    return Problem(file=file, line=line, record=record, message=message, severity=ERROR)


def warning(file: str, message: str, *, line: int | None = None, record: str | None = None) -> Problem:
    return Problem(file=file, line=line, record=record, message=message, severity=WARNING)


def has_errors(problems: tuple[Problem, ...] | list[Problem]) -> bool:
    return any(p.is_error for p in problems)
