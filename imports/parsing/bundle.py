"""Entry points: read the files of one upload form (plain or zipped) into a ParsedBundle; per-kind parsers."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from lxml import etree

from .common import BaseParser
from .detect import ROOT_KINDS, kind_of_root, wrong_kind_problem
from .eleves import LearnersParser
from .errors import ParseRefused, Problem, error, has_errors, warning
from .records import FileKind, GuardiansResult, LearnersResult, StsResult
from .responsables import GuardiansParser
from .safety import DEFAULT_LIMITS, Content, Limits, XmlDocument, XmlReader, iter_documents
from .sts import StsParser

ParseResult = StsResult | LearnersResult | GuardiansResult
ResultT = TypeVar("ResultT", StsResult, LearnersResult, GuardiansResult)

_PARSERS: dict[FileKind, type[BaseParser]] = {
    FileKind.STS: StsParser,
    FileKind.LEARNERS: LearnersParser,
    FileKind.GUARDIANS: GuardiansParser,
}


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file. `expected`: the kind(s) the form field accepts (None: any of the three)."""

    name: str
    content: Content
    expected: FileKind | frozenset[FileKind] | None = None

    @property
    def expected_kinds(self) -> frozenset[FileKind]:
        if self.expected is None:
            return frozenset(FileKind)
        if isinstance(self.expected, FileKind):
            return frozenset({self.expected})
        return frozenset(self.expected)


UploadLike = Upload | tuple[str, Content] | tuple[str, Content, FileKind | Collection[FileKind] | None]


@dataclass(frozen=True, slots=True)
class ParsedBundle:
    """Everything read from one upload. `problems` holds every problem, those of each file included."""

    sts: StsResult | None = None
    learners: LearnersResult | None = None
    guardians: GuardiansResult | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """No error anywhere: the import may proceed (warnings are shown, not blocking)."""
        return not has_errors(self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def read_uploads(
    files: Iterable[UploadLike],
    expected_uai: str | None,
    today: date | None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> ParsedBundle:
    """Read uploaded files (each plain XML or ZIP, a ZIP may hold several files) into one bundle.

    Each file is recognised by its root element; each kind may come at most once. `expected_uai`: the
    establishment's UAI (None: not checked); `today`: for the school-year check (None: not checked).
    """
    problems: list[Problem] = []
    results: dict[FileKind, ParseResult] = {}
    for upload in (_as_upload(item) for item in files):
        for kind, result in _read_upload(upload, expected_uai, today, limits, problems):
            first = results.get(kind)
            if first is not None:
                problems.append(
                    error(
                        _file_of(result, upload.name),
                        f"ce fichier est {kind.label}, déjà reçu avec « {_file_of(first, upload.name)} » : "
                        "envoyez un seul fichier de chaque sorte.",
                    )
                )
                continue
            results[kind] = result
            problems.extend(result.problems)
    sts = results.get(FileKind.STS)
    learners = results.get(FileKind.LEARNERS)
    guardians = results.get(FileKind.GUARDIANS)
    assert sts is None or isinstance(sts, StsResult)
    assert learners is None or isinstance(learners, LearnersResult)
    assert guardians is None or isinstance(guardians, GuardiansResult)
    problems.extend(_cross_checks(sts, learners, guardians, expected_uai))
    if sts is not None and learners is not None:
        learners = with_mef_labels(learners, {code: mef.label for code, mef in sts.mefs.items() if mef.label})
    return ParsedBundle(sts=sts, learners=learners, guardians=guardians, problems=tuple(problems))


def parse_sts(
    content: Content,
    *,
    name: str | None = None,
    expected_uai: str | None = None,
    today: date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> StsResult:
    """Read an STS-web sts_emp file (plain or zipped)."""
    return _parse_one(FileKind.STS, StsResult(header=None), content, name, expected_uai, today, limits)


def parse_learners(
    content: Content,
    *,
    name: str | None = None,
    expected_uai: str | None = None,
    today: date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LearnersResult:
    """Read a SIECLE ElevesSansAdresses / ElevesAvecAdresses file (plain or zipped)."""
    return _parse_one(FileKind.LEARNERS, LearnersResult(header=None), content, name, expected_uai, today, limits)


def parse_guardians(
    content: Content,
    *,
    name: str | None = None,
    expected_uai: str | None = None,
    today: date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> GuardiansResult:
    """Read a SIECLE ResponsablesAvecAdresses file (plain or zipped)."""
    return _parse_one(FileKind.GUARDIANS, GuardiansResult(header=None), content, name, expected_uai, today, limits)


def with_mef_labels(result: LearnersResult, labels: Mapping[str, str]) -> LearnersResult:
    """Fill each learner's `mef_label` from a {MEF code: label} mapping (STS-web MEFS, or the database)."""
    learners = tuple(
        replace(learner, mef_label=labels[learner.mef_code])
        if learner.mef_code in labels and learner.mef_label is None
        else learner
        for learner in result.learners
    )
    return replace(result, learners=learners)


# --- internals ----------------------------------------------------------------------------------------------


def _as_upload(item: UploadLike) -> Upload:
    if isinstance(item, Upload):
        return item
    if len(item) == 2:
        return Upload(name=item[0], content=item[1])
    expected = item[2]
    if expected is not None and not isinstance(expected, FileKind):
        expected = frozenset(expected)
    return Upload(name=item[0], content=item[1], expected=expected)


def _file_of(result: ParseResult, default: str) -> str:
    return result.header.file if result.header is not None else default


def _default_name(content: Content, name: str | None) -> str:
    if name:
        return name
    if isinstance(content, str | os.PathLike):
        return os.path.basename(os.fspath(content))
    return os.path.basename(str(getattr(content, "name", "") or "")) or "fichier"


def _read_upload(
    upload: Upload, expected_uai: str | None, today: date | None, limits: Limits, problems: list[Problem]
) -> Iterator[tuple[FileKind, ParseResult]]:
    try:
        for document in iter_documents(upload.name, upload.content, problems, limits):
            parsed = _parse_document(document, upload.expected_kinds, expected_uai, today, problems)
            if parsed is not None:
                yield parsed
    except ParseRefused as exc:
        problems.append(exc.problem)


def _tags_for_root(root_tag: str) -> frozenset[str] | None:
    """The elements the parser of a file with this root reads (libxml2 reports only those to Python)."""
    kind = ROOT_KINDS.get(root_tag)
    if kind is None:
        return None
    parser = _PARSERS[kind]("", etree.Element(root_tag), expected_uai=None, today=None)
    return frozenset(path.rsplit("/", 1)[-1] for path in parser.handlers())


def _parse_document(
    document: XmlDocument,
    expected: frozenset[FileKind],
    expected_uai: str | None,
    today: date | None,
    problems: list[Problem],
) -> tuple[FileKind, ParseResult] | None:
    reader = XmlReader(document.stream, document.name, tags_for_root=_tags_for_root)
    try:
        root = reader.read_root()
        kind = kind_of_root(str(root.tag), document.name, root.sourceline)
    except ParseRefused as exc:
        problems.append(exc.problem)
        return None
    if kind not in expected:
        problems.append(wrong_kind_problem(kind, expected, document.name, root.sourceline))
        return None
    parser = _PARSERS[kind](document.name, root, expected_uai=expected_uai, today=today)
    parser.run(reader)
    return kind, parser.result()


def _parse_one(
    kind: FileKind,
    empty: ResultT,
    content: Content,
    name: str | None,
    expected_uai: str | None,
    today: date | None,
    limits: Limits,
) -> ResultT:
    problems: list[Problem] = []
    found: ResultT | None = None
    upload = Upload(name=_default_name(content, name), content=content, expected=kind)
    for _kind, result in _read_upload(upload, expected_uai, today, limits, problems):
        if found is None:
            found = result  # type: ignore[assignment]
            problems.extend(result.problems)
        else:
            problems.append(
                error(
                    _file_of(result, upload.name),
                    f"l'archive contient plusieurs fichiers de ce type ({kind.label}) : un seul est attendu.",
                )
            )
    if found is None and not has_errors(problems):
        problems.append(error(upload.name, f"aucun fichier de ce type trouvé ({kind.label})."))
    return replace(found or empty, problems=tuple(problems))


def _cross_checks(
    sts: StsResult | None,
    learners: LearnersResult | None,
    guardians: GuardiansResult | None,
    expected_uai: str | None,
) -> list[Problem]:
    problems: list[Problem] = []
    headers = [r.header for r in (sts, learners, guardians) if r is not None and r.header is not None]
    uais = {h.uai for h in headers if h.uai}
    if expected_uai is None and len(uais) > 1:
        listing = ", ".join(f"{h.uai} ({h.file})" for h in headers if h.uai)
        problems.append(error(headers[0].file, f"les fichiers ne concernent pas le même établissement : {listing}."))
    years = {h.school_year for h in headers if h.school_year is not None}
    if len(years) > 1:
        listing = ", ".join(f"{h.school_year} ({h.file})" for h in headers if h.school_year is not None)
        problems.append(warning(headers[0].file, f"les fichiers ne sont pas de la même année scolaire : {listing}."))
    if learners is not None and guardians is not None and learners.header and guardians.header:
        known = {learner.siecle_id for learner in learners.learners}
        orphans = [link for link in guardians.links if link.learner_siecle_id not in known]
        if orphans:
            examples = ", ".join(f"ligne {link.line} (ELEVE_ID {link.learner_siecle_id})" for link in orphans[:5])
            more = " …" if len(orphans) > 5 else ""
            problems.append(
                warning(
                    guardians.header.file,
                    f"{len(orphans)} lien(s) désignent des apprenants absents du fichier des élèves "
                    f"« {learners.header.file} » : ils seront ignorés ({examples}{more}). Les deux fichiers "
                    "doivent venir du même export.",
                )
            )
    return problems
