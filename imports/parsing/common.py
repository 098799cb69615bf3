"""What the three XML parsers share: header checks (UAI, school year), field reading, problem helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import ClassVar

from lxml import etree

from .errors import ParseRefused, Problem, error, warning
from .records import FileHeader, FileKind, GuardiansResult, LearnersResult, StsResult
from .safety import XmlReader
from .values import (
    clean,
    expected_school_year,
    looks_mis_encoded,
    normalise_uai,
    parse_date,
    school_year_label,
)

Handler = Callable[[etree._Element], None]
HEADER = "en-tête du fichier"
# Invisible control characters no imported text may hold (XML 1.0 forbids C0 but lets DEL and C1 through; a
# C1 character is typically a Windows-1252 apostrophe or dash in a file declared ISO-8859).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_PROBLEMS = 20


def control_character_message(value: str, where: str) -> str | None:
    """The French refusal of a text holding an invisible control character, or None."""
    match = CONTROL_CHARACTERS.search(value)
    if match is None:
        return None
    code = ord(match.group())
    hint = (" (souvent une apostrophe ou un tiret d'un fichier ré-enregistré dans un autre encodage)"
            if 0x80 <= code <= 0x9F else "")
    return (f"caractère de contrôle invisible U+{code:04X} dans {where}{hint} : corrigez le fichier ou "
            "demandez un nouvel export.")


def children_text(element: etree._Element) -> dict[str, str | None]:
    """Direct children as {tag: stripped text or None}; the first occurrence of a tag wins."""
    values: dict[str, str | None] = {}
    for child in element:
        tag = child.tag
        if tag not in values and isinstance(tag, str):
            text = child.text
            values[tag] = (text.strip() or None) if text else None
    return values


def header_problems(
    file: str,
    uai: str | None,
    school_year: int | None,
    *,
    expected_uai: str | None,
    today: date | None,
    line: int | None,
) -> list[Problem]:
    """Check a file's UAI and school year. A wrong UAI is an error; a year other than today's is a warning."""
    problems: list[Problem] = []
    expected_uai = normalise_uai(expected_uai)
    if expected_uai is not None:
        if uai is None:
            problems.append(
                error(
                    file,
                    "l'UAI de l'établissement est absent de l'en-tête du fichier : impossible de "
                    f"vérifier qu'il concerne votre établissement ({expected_uai}).",
                    line=line,
                    record=HEADER,
                )
            )
        elif uai != expected_uai:
            problems.append(
                error(
                    file,
                    f"ce fichier concerne l'établissement {uai}, pas le vôtre ({expected_uai}) : exportez le "
                    "fichier depuis votre établissement.",
                    line=line,
                    record=HEADER,
                )
            )
    if today is not None:
        current = expected_school_year(today)
        if school_year is None:
            problems.append(
                warning(
                    file,
                    "l'année scolaire est absente de l'en-tête du fichier : impossible de vérifier "
                    f"qu'il s'agit de l'année en cours ({school_year_label(current)}).",
                    line=line,
                    record=HEADER,
                )
            )
        elif school_year < current:
            problems.append(
                warning(
                    file,
                    f"ce fichier est celui de l'année scolaire {school_year_label(school_year)}, alors que "
                    f"l'année en cours est {school_year_label(current)} : c'est sans doute un ancien "
                    "export ; exportez le fichier de l'année en cours.",
                    line=line,
                    record=HEADER,
                )
            )
        elif school_year > current:
            problems.append(
                warning(
                    file,
                    f"ce fichier est celui de l'année scolaire {school_year_label(school_year)}, qui n'a pas "
                    f"encore commencé (année en cours : {school_year_label(current)}) : vérifiez que "
                    "c'est bien le fichier voulu.",
                    line=line,
                    record=HEADER,
                )
            )
    return problems


class BaseParser:
    """Streams one recognised file through `handlers()`; subclasses build their result in `result()`."""

    kind: ClassVar[FileKind]

    def __init__(self, file: str, root: etree._Element, *, expected_uai: str | None, today: date | None) -> None:
        self.file = file
        self.root_tag = str(root.tag)
        self.expected_uai = expected_uai
        self.today = today
        self.problems: list[Problem] = []
        self.uai: str | None = None
        self.school_year: int | None = None
        self.export_date: date | None = None
        self.version: str | None = clean(root.get("VERSION"))
        self.establishment_name: str | None = None
        self.header_line: int | None = None
        self._header_checked = False
        self._encoding_reported = False
        self._control_problems = 0

    # -- driving ------------------------------------------------------------------------------------------

    def handlers(self) -> dict[str, Handler]:
        raise NotImplementedError

    def run(self, reader: XmlReader) -> None:
        """Read the whole file; a fatal problem is recorded and stops the reading."""
        handlers = self.handlers()
        try:
            for path, element in reader.iter_ends(handlers):
                mis_encoded = self.check_control_characters(element)
                handlers[path](element)
                if mis_encoded is not None:
                    self.check_encoding(mis_encoded[0], None, mis_encoded[1])
            self.check_header()
            self.finish()
        except ParseRefused as exc:
            self.problems.append(exc.problem)

    def finish(self) -> None:
        """Cross-record checks once the whole file is read."""

    def result(self) -> StsResult | LearnersResult | GuardiansResult:
        raise NotImplementedError

    def header(self) -> FileHeader:
        return FileHeader(
            kind=self.kind,
            file=self.file,
            uai=self.uai,
            school_year=self.school_year,
            export_date=self.export_date,
            version=self.version,
            establishment_name=self.establishment_name,
        )

    # -- header -------------------------------------------------------------------------------------------

    def bee_header_handlers(self) -> dict[str, Handler]:
        base = f"{self.root_tag}/PARAMETRES"
        return {
            f"{base}/UAJ": self._on_bee_uai,
            f"{base}/ANNEE_SCOLAIRE": self._on_bee_year,
            f"{base}/DATE_EXPORT": self._on_bee_export_date,
            base: lambda _element: self.check_header(),
        }

    def _on_bee_uai(self, element: etree._Element) -> None:
        self.uai = normalise_uai(element.text)
        self.header_line = element.sourceline

    def _on_bee_year(self, element: etree._Element) -> None:
        self.school_year = self.parse_year(element.text, element.sourceline)

    def _on_bee_export_date(self, element: etree._Element) -> None:
        self.export_date = self.optional_date(clean(element.text), element.sourceline, HEADER, "DATE_EXPORT")

    def parse_year(self, value: str | None, line: int | None) -> int | None:
        value = clean(value)
        if value is None:
            return None
        if value.isdecimal() and len(value) == 4:
            return int(value)
        self.problems.append(
            error(self.file, f"année scolaire illisible dans l'en-tête : « {value} ».", line=line, record=HEADER)
        )
        return None

    def check_header(self) -> None:
        """Check UAI and year once; a wrong establishment stops the reading."""
        if self._header_checked:
            return
        self._header_checked = True
        problems = header_problems(
            self.file,
            self.uai,
            self.school_year,
            expected_uai=self.expected_uai,
            today=self.today,
            line=self.header_line,
        )
        fatal = [p for p in problems if p.is_error]
        self.problems.extend(p for p in problems if not p.is_error)
        if fatal:
            raise ParseRefused(fatal[0])

    # -- field helpers ------------------------------------------------------------------------------------

    def optional_date(self, value: str | None, line: int | None, record: str, field_name: str) -> date | None:
        """Parse a date; an unreadable date is an error (exports never contain one)."""
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.problems.append(
                error(self.file, f"date illisible dans {field_name} : « {value} ».", line=line, record=record)
            )
            return None

    def check_encoding(self, line: int | None, record: str, *values: str | None) -> None:
        """Refuse once per file a file whose accents were broken by a re-save in another encoding."""
        if self._encoding_reported:
            return
        for value in values:
            if looks_mis_encoded(value):
                self._encoding_reported = True
                self.problems.append(
                    error(
                        self.file,
                        f"caractères accentués mal encodés (« {value} ») : le fichier a sans doute été "
                        "ouvert puis ré-enregistré dans un autre encodage. "
                        "Envoyez le fichier tel qu'exporté.",
                        line=line,
                        record=record,
                    )
                )
                return

    def check_control_characters(self, element: etree._Element) -> tuple[int | None, str] | None:
        """Refuse, with its line, a record whose text or attributes hold an invisible control character.

        Returns the line and value of a mis-encoded text, to be reported as such (``run``)."""
        if self._control_problems >= MAX_CONTROL_PROBLEMS:
            return None
        if CONTROL_CHARACTERS.search(etree.tostring(element, encoding="unicode", with_tail=False)) is None:
            return None
        mis_encoded = None
        for node in element.iter(tag=etree.Element):
            values = [(node.text or "", str(node.tag)), *((v, f"{node.tag}/@{k}") for k, v in node.attrib.items())]
            for value, where in values:
                message = control_character_message(value, where)
                if message is not None and looks_mis_encoded(value):
                    # UTF-8 read as ISO-8859 ("È" → "Ã" + U+0088): the encoding message says it better, with
                    # the record when its handler checks this field, else here once handled.
                    mis_encoded = mis_encoded or (node.sourceline, value)
                    break
                if message is not None:
                    self._control_problems += 1
                    self.add_error(message, line=node.sourceline, record=None)
                    # Freed once handled: a record checked at its end is not reported again by its parent.
                    if node.text:
                        node.text = CONTROL_CHARACTERS.sub("", node.text)
                    for key, item in node.attrib.items():
                        node.set(key, CONTROL_CHARACTERS.sub("", item))
                    break
        return mis_encoded

    def add_error(self, message: str, *, line: int | None, record: str | None) -> None:
        self.problems.append(error(self.file, message, line=line, record=record))

    def add_warning(self, message: str, *, line: int | None, record: str | None) -> None:
        self.problems.append(warning(self.file, message, line=line, record=record))
