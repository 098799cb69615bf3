"""Hostile-input defences: size caps, safe ZIP reading (never extracted to disk), hardened streaming XML.

See research/security-reliability.md §2 (U1-U7) and §6.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from lxml import etree

from .errors import ParseRefused, Problem, error, warning

MiB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Hard caps on what one upload may cost. Real files: about 2 KB per learner, 1.4 KB per person."""

    max_file_size: int = 150 * MiB  # one XML document (plain file or ZIP member), uncompressed
    max_total_size: int = 300 * MiB  # all members of one ZIP archive, uncompressed
    max_members: int = 10  # entries in one ZIP archive
    max_ratio: int = 200  # uncompressed / compressed size of a ZIP member (real exports: 17 to 35)
    ratio_grace: int = 1 * MiB  # the ratio is enforced once a member has produced this much
    max_csv_size: int = 10 * MiB


DEFAULT_LIMITS = Limits()


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Content = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO
"""What an upload may be: bytes, a path, or a binary file object (e.g. a Django UploadedFile)."""


# --- byte counting ------------------------------------------------------------------------------------------


class _Budget:
    """Bytes produced by all members of one archive."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0


class CappedReader:
    """Wraps a binary stream and counts the bytes really produced; refuses past the caps.

    Declared ZIP sizes are attacker-controlled, so the counting happens on the actual bytes.
    """

    def __init__(
        self,
        raw: Readable,
        *,
        file: str,
        cap: int,
        budget: _Budget | None = None,
        compressed_size: int | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.raw = raw
        self.file = file
        self.cap = cap
        self.budget = budget
        self.compressed_size = compressed_size
        self.limits = limits
        self.count = 0
        self.lines = 1  # lines seen so far, to tell a truncated file from a malformed one
        self.eof = False

    def read(self, size: int | None = -1) -> bytes:
        wanted = _CHUNK if size is None or size < 0 else min(size, _CHUNK)
        try:
            data = self.raw.read(wanted)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ParseRefused(
                error(self.file, f"archive ZIP corrompue : ce fichier ne peut pas être décompressé ({exc}).")
            ) from exc
        if not data:
            self.eof = True
        self.count += len(data)
        self.lines += data.count(b"\n")
        if self.count > self.cap:
            raise ParseRefused(
                error(
                    self.file,
                    f"fichier trop volumineux : plus de {self.cap // MiB} Mo une fois décompressé "
                    "(limite de sécurité). Ce n'est pas un export SIECLE ou STS-web normal.",
                )
            )
        if self.budget is not None:
            self.budget.used += len(data)
            if self.budget.used > self.budget.cap:
                raise ParseRefused(
                    error(
                        self.file,
                        f"archive trop volumineuse : plus de {self.budget.cap // MiB} Mo une fois "
                        "décompressée (limite de sécurité).",
                    )
                )
        if (
            self.compressed_size is not None
            and self.count > self.limits.ratio_grace
            and self.count > self.limits.max_ratio * max(self.compressed_size, 1)
        ):
            raise ParseRefused(
                error(
                    self.file,
                    f"taux de compression anormal (plus de {self.limits.max_ratio} fois) : archive refusée "
                    "par sécurité (« bombe de décompression »).",
                )
            )
        return data


# --- uploads: plain files and ZIP archives ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """One XML document found in an upload, ready to stream."""

    name: str  # display name for messages
    stream: CappedReader


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_DRIVE = re.compile(r"^[A-Za-z]:")


@contextmanager
def open_content(content: Content) -> Iterator[BinaryIO]:
    """Open an upload's content as a seekable binary stream (a path is opened and closed here)."""
    if isinstance(content, bytes | bytearray | memoryview):
        yield io.BytesIO(bytes(content))
    elif isinstance(content, str | os.PathLike):
        with open(content, "rb") as handle:
            yield handle
    else:
        yield content


def peek(stream: BinaryIO, size: int = 8) -> bytes:
    """First bytes of a stream without consuming them (the stream must be seekable)."""
    position = stream.tell()
    head = stream.read(size)
    stream.seek(position)
    return head


def is_zip(head: bytes) -> bool:
    return head[:4] in _ZIP_MAGIC


def _unsafe_member_name(name: str) -> bool:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or _DRIVE.match(normalised):
        return True
    parts = normalised.split("/")
    return ".." in parts or "\x00" in name


def _is_mac_junk(name: str) -> bool:
    return name.startswith("__MACOSX/") or posixpath.basename(name).startswith("._")


def iter_documents(
    name: str, content: Content, problems: list[Problem], limits: Limits = DEFAULT_LIMITS
) -> Iterator[XmlDocument]:
    """Yield each XML document of an upload: the file itself, or the `.xml` members of a ZIP archive.

    Raises ParseRefused when the upload as a whole is refused (empty, bad or dangerous archive).
    Warnings (ignored members) are appended to `problems`.
    """
    with open_content(content) as stream:
        if not _seekable(stream):
            stream = io.BytesIO(_read_capped(stream, name, limits.max_file_size))
        head = peek(stream)
        if not head:
            raise ParseRefused(error(name, "le fichier est vide (0 octet)."))
        if not is_zip(head):
            yield XmlDocument(name, CappedReader(stream, file=name, cap=limits.max_file_size, limits=limits))
            return
        yield from _iter_zip_documents(name, stream, problems, limits)


def _iter_zip_documents(name: str, stream: BinaryIO, problems: list[Problem], limits: Limits) -> Iterator[XmlDocument]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ParseRefused(error(name, "archive ZIP illisible ou corrompue.")) from exc
    with archive:
        members = _check_members(name, archive.infolist(), problems, limits)
        budget = _Budget(limits.max_total_size)
        for info in members:
            display = f"{posixpath.basename(info.filename)} (dans {name})"
            try:
                raw = archive.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
                raise ParseRefused(
                    error(
                        display,
                        "ce fichier de l'archive ne peut pas être décompressé (archive corrompue "
                        "ou méthode de compression non prise en charge).",
                    )
                ) from exc
            with raw:
                yield XmlDocument(
                    display,
                    CappedReader(
                        raw,
                        file=display,
                        cap=limits.max_file_size,
                        budget=budget,
                        compressed_size=info.compress_size,
                        limits=limits,
                    ),
                )


def _check_members(
    name: str, infos: list[zipfile.ZipInfo], problems: list[Problem], limits: Limits
) -> list[zipfile.ZipInfo]:
    """Refuse a dangerous archive before reading any member; return the XML members to read."""
    if len(infos) > limits.max_members:
        raise ParseRefused(
            error(
                name,
                f"l'archive contient {len(infos)} fichiers, c'est trop (au plus {limits.max_members}) : "
                "envoyez l'archive fournie par SIECLE ou STS-web, ou une archive ne contenant que les "
                "fichiers XML.",
            )
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names or "mimetype" in names:
        raise ParseRefused(
            error(
                name,
                "ce fichier est un document bureautique (tableur ou traitement de texte), "
                "pas un export SIECLE ou STS-web.",
            )
        )
    declared_total = 0
    selected: list[zipfile.ZipInfo] = []
    for info in infos:
        if _unsafe_member_name(info.filename):
            raise ParseRefused(
                error(
                    name,
                    f"l'archive contient un nom de fichier dangereux (« {info.filename} ») : archive refusée.",
                )
            )
        if info.is_dir() or _is_mac_junk(info.filename):
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ParseRefused(
                error(name, f"l'archive contient un lien symbolique (« {info.filename} ») : archive refusée.")
            )
        if info.flag_bits & 0x1:
            raise ParseRefused(
                error(
                    name,
                    f"« {info.filename} » est protégé par un mot de passe : envoyez une archive sans mot de passe.",
                )
            )
        if not info.filename.lower().endswith(".xml"):
            problems.append(warning(name, f"« {info.filename} » n'est pas un fichier XML : il est ignoré."))
            continue
        if info.file_size > limits.max_file_size:
            raise ParseRefused(
                error(
                    name,
                    f"« {info.filename} » est trop volumineux une fois décompressé "
                    f"({info.file_size // MiB} Mo ; au plus {limits.max_file_size // MiB} Mo).",
                )
            )
        if info.file_size > limits.ratio_grace and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ParseRefused(
                error(
                    name,
                    f"« {info.filename} » a un taux de compression anormal "
                    f"({info.file_size // max(info.compress_size, 1)} fois) : archive refusée par sécurité "
                    "(« bombe de décompression »).",
                )
            )
        declared_total += info.file_size
        if declared_total > limits.max_total_size:
            raise ParseRefused(
                error(
                    name,
                    f"archive trop volumineuse une fois décompressée (plus de {limits.max_total_size // MiB} Mo).",
                )
            )
        selected.append(info)
    if not selected:
        raise ParseRefused(error(name, "l'archive ZIP ne contient aucun fichier XML."))
    return selected


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _read_capped(stream: Readable, name: str, cap: int) -> bytes:
    reader = CappedReader(stream, file=name, cap=cap)
    chunks = []
    while chunk := reader.read(_CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def read_all(content: Content, name: str, cap: int) -> bytes:
    """Whole content as bytes, refusing beyond `cap` (for small files such as CSV)."""
    with open_content(content) as stream:
        return _read_capped(stream, name, cap)


# --- hardened streaming XML ---------------------------------------------------------------------------------

_SAFE_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
_FREE_DEPTH = 3  # ended elements this close to the root are freed (records of BEE files are at 3)
_PRESCAN_SLICE = 512  # bytes fed at a time to find the root element

TagsForRoot = Callable[[str], Collection[str] | None]


class XmlReader:
    """Streams one XML document with a hardened parser; memory stays flat whatever the file size.

    `read_root()` returns the root element (and refuses any DOCTYPE); `iter_ends(wanted)` then yields
    (path, element) at the end of each element whose path ("ROOT/DONNEES/ELEVES/ELEVE") is wanted, and frees
    it once the caller is done with it.

    `tags_for_root(root_tag)`, when given, returns the element names (last path steps) the reading will ask
    for in a document with that root: libxml2 then reports only those elements to Python (lxml's `tag`
    filter), instead of two events for every element of the file. Without it (or when it returns None),
    every element is reported; the results are the same.

    How memory stays flat: a wanted element is cleared once the caller is done with it, with its preceding
    siblings; and each time the parser asks for more bytes (every 64 KiB, when every event so far has been
    handled), the ended elements down to depth `_FREE_DEPTH` are deleted (sections not read, their records).
    """

    def __init__(self, stream: Readable, file: str, *, tags_for_root: TagsForRoot | None = None) -> None:
        self.file = file
        self._stream = stream
        self._tags_for_root = tags_for_root
        self._events: Iterator[tuple[str, etree._Element]] | None = None
        self._filter: frozenset[str] | None = None
        self._root: etree._Element | None = None

    def read_root(self) -> etree._Element:
        root_tag, head = self._prescan()
        tags = self._tags_for_root(root_tag) if self._tags_for_root is not None else None
        self._filter = None if tags is None else frozenset(tags) | {root_tag}
        source = _Replay(head, self._stream, self)
        self._events = etree.iterparse(
            source,
            events=("start", "end"),
            tag=sorted(self._filter) if self._filter is not None else None,
            **_SAFE_OPTIONS,
        )
        try:
            _event, root = next(self._events)
        except StopIteration as exc:  # pragma: no cover - the prescan found a root
            raise ParseRefused(error(self.file, "le fichier est vide.")) from exc
        except etree.XMLSyntaxError as exc:  # pragma: no cover - the prescan read the same bytes
            raise ParseRefused(syntax_problem(self.file, exc, before_root=True)) from exc
        if root.getroottree().docinfo.doctype:
            raise ParseRefused(
                error(
                    self.file,
                    "fichier XML non conforme (DOCTYPE interdit) : les exports SIECLE et STS-web n'en "
                    "contiennent jamais ; ce fichier a été modifié ou fabriqué, il est refusé par sécurité.",
                    line=root.sourceline,
                )
            )
        self._root = root
        return root

    def _prescan(self) -> tuple[str, bytes]:
        """The root element's tag, parsing only the start of the document; returns the bytes read so far.

        Same hardened options as the real reading; an error before the root element refuses the file here,
        an error after it is left to the real reading (which reports it with its line).
        """
        parser = etree.XMLPullParser(events=("start",), **_SAFE_OPTIONS)
        read = bytearray()
        while True:
            data = self._stream.read(_CHUNK)
            if not data:
                try:
                    parser.close()
                except etree.XMLSyntaxError as exc:
                    raise ParseRefused(syntax_problem(self.file, exc, before_root=True)) from exc
                raise ParseRefused(error(self.file, "le fichier est vide."))  # pragma: no cover
            offset = len(read)
            read += data
            for start in range(offset, len(read), _PRESCAN_SLICE):
                failure = None
                try:
                    parser.feed(bytes(read[start : start + _PRESCAN_SLICE]))
                except etree.XMLSyntaxError as exc:
                    failure = exc
                for _event, element in parser.read_events():
                    return str(element.tag), bytes(read)
                if failure is not None:
                    raise ParseRefused(syntax_problem(self.file, failure, before_root=True)) from failure

    def iter_ends(self, wanted: Collection[str]) -> Iterator[tuple[str, etree._Element]]:
        if self._events is None:
            raise RuntimeError("read_root() must be called first")
        last_tags = {path.rsplit("/", 1)[-1] for path in wanted}
        if self._filter is not None and not last_tags <= self._filter:
            raise RuntimeError(f"elements not announced by tags_for_root: {sorted(last_tags - self._filter)}")
        last_parent: etree._Element | None = None
        parent_path = ""
        try:
            for event, element in self._events:
                if event == "start":
                    continue
                tag = element.tag
                if tag not in last_tags:
                    continue
                parent = element.getparent()
                if parent is None:
                    continue
                if parent is not last_parent:  # records of one section share their parent: one walk each
                    last_parent, parent_path = parent, _path(parent)
                path = f"{parent_path}/{tag}"
                if path in wanted:
                    yield path, element
                    _free(element, parent)
        except etree.XMLSyntaxError as exc:
            raise ParseRefused(syntax_problem(self.file, exc, truncated=self._at_end(exc))) from exc

    def sweep(self) -> None:
        """Delete the ended elements down to `_FREE_DEPTH` (called between two reads: all events handled).

        Only the last element of each level can still be open (it is on the path the parser is filling).
        """
        node = self._root
        for _ in range(_FREE_DEPTH):
            if node is None:
                return
            try:
                last = node[-1]
            except IndexError:
                return
            while last.getprevious() is not None:
                del node[0]
            node = last

    def _at_end(self, exc: etree.XMLSyntaxError) -> bool:
        """True when the error is on the last line of a stream read to its end: the file was cut short."""
        stream = self._stream
        return isinstance(stream, CappedReader) and stream.eof and (exc.lineno or 0) >= stream.lines


class _Replay:
    """The bytes the prescan read, then the rest of the stream; sweeps the reader's tree before each read."""

    def __init__(self, head: bytes, stream: Readable, reader: XmlReader) -> None:
        self._head: bytes | None = head
        self._stream = stream
        self._reader = reader

    def read(self, size: int = -1, /) -> bytes:
        if self._head is not None:
            head, self._head = self._head, None
            if head:
                return head
        self._reader.sweep()
        return self._stream.read(size)


def _path(element: etree._Element) -> str:
    tags = [str(element.tag)]
    parent = element.getparent()
    while parent is not None:
        tags.append(str(parent.tag))
        parent = parent.getparent()
    return "/".join(reversed(tags))


def _free(element: etree._Element, parent: etree._Element) -> None:
    element.clear(keep_tail=True)
    while element.getprevious() is not None:
        del parent[0]


def syntax_problem(
    file: str, exc: etree.XMLSyntaxError, *, before_root: bool = False, truncated: bool = False
) -> Problem:
    """French message for a libxml2 error."""
    detail = str(getattr(exc, "msg", "") or exc)
    line = exc.lineno or None
    column = exc.position[1] if exc.position else None
    where = f"ligne {line}, colonne {column}" if line and column else "au début du fichier"
    lowered = detail.lower()
    if "amplification" in lowered or "entity" in lowered:
        message = "fichier XML non conforme (entités XML interdites) : fichier refusé par sécurité."
    elif before_root and ("document is empty" in lowered or "no element found" in lowered):
        message = "le fichier est vide."
    elif "unsupported encoding" in lowered:
        message = f"encodage de caractères non pris en charge ({detail})."
    elif "excessive depth" in lowered or "huge" in lowered:
        message = "fichier XML anormal (imbrication ou texte démesurés) : refusé par sécurité."
    elif before_root:
        message = "ce fichier n'est ni un fichier XML ni une archive ZIP : ce n'est pas un export SIECLE ou STS-web."
    elif truncated or "premature end of data" in lowered:
        message = (
            f"fichier XML incomplet : il s'arrête avant la fin ({where}). Le téléchargement ou la copie a "
            "sans doute été interrompu : exportez le fichier à nouveau."
        )
    else:
        message = (
            f"fichier XML mal formé ({where}) : {detail}. Le fichier a peut-être été modifié ou tronqué : "
            "exportez-le à nouveau."
        )
    return error(file, message, line=line)
