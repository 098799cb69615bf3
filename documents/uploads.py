"""Uploaded files checked by their content, never by their name: the one check every upload of the site goes through.

Accepted files (``SCENARIO_RESOURCE_MAX_BYTES``, 10 Mio by default, or the caller's ``limit``): PDF, ODT, DOCX,
XLSX, PNG and JPEG, each recognised from its content — magic bytes; for the ZIP-based formats the ``mimetype``
member (ODT) or ``[Content_Types].xml`` (DOCX, XLSX); images are read by Pillow. An HTML page or an SVG image
renamed ``.pdf`` is refused, as are macro-enabled documents and zip bombs. Used by scenario resources
(``pedagogy.resources``), PFMP fiches and the learners' book.
"""

import io
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_TITLE = 255
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNCOMPRESSED = 300 * 1024 * 1024  # a « document » inflating beyond this is a zip bomb


@dataclass(frozen=True)
class FileType:
    label: str
    extension: str
    content_type: str


PDF = FileType("PDF", "pdf", "application/pdf")
ODT = FileType("ODT", "odt", "application/vnd.oasis.opendocument.text")
DOCX = FileType("DOCX", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PNG = FileType("PNG", "png", "image/png")
JPEG = FileType("JPEG", "jpg", "image/jpeg")
ACCEPTED = (PDF, ODT, DOCX, XLSX, PNG, JPEG)
ACCEPTED_TEXT = "PDF, ODT, DOCX, XLSX, PNG ou JPEG"
BY_CONTENT_TYPE = {t.content_type: t for t in ACCEPTED}

EMPTY = "Le fichier est vide."
TOO_HEAVY = "Le fichier pèse %(size)s : la limite est de %(limit)s."
HTML_REFUSED = ("Ce fichier est une page web (HTML), quel que soit son nom : il est refusé. Déposez un fichier "
                f"{ACCEPTED_TEXT}.")
SVG_REFUSED = ("Les images SVG ne sont pas acceptées (elles peuvent contenir du code), quel que soit le nom du "
               f"fichier. Déposez un fichier {ACCEPTED_TEXT}.")
WRONG_TYPE = "Ce fichier est de type %(kind)s, quel que soit son nom : seuls les fichiers " + ACCEPTED_TEXT + \
    " sont acceptés."
UNKNOWN_TYPE = f"Ce type de fichier n'est pas accepté : seuls les fichiers {ACCEPTED_TEXT} sont acceptés."
MACROS = "Les documents contenant des macros sont refusés : enregistrez-le sans macros (DOCX, XLSX ou ODT)."
DAMAGED = "Le fichier %(kind)s est endommagé ou incomplet : il n'a pas pu être lu."
BAD_URL = "Saisissez une adresse web complète commençant par http:// ou https://."
URL_TOO_LONG = "L'adresse est trop longue (1000 caractères au plus)."
NO_FILE = "Choisissez un fichier à déposer."
FILE_GONE = "Le fichier de cette ressource n'existe plus."

# Formats people rename, recognised to say what the file really is.
_SIGNATURES = [
    (b"MZ", "programme Windows"), (b"\x7fELF", "programme"), (b"GIF8", "GIF"), (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"), (b"BM", "BMP"), (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0", "Office 97-2003 (DOC, XLS, PPT)"), (b"{\\rtf", "RTF"), (b"%!PS", "PostScript"),
]


class ResourceRefused(ValidationError):
    """The upload or the link is not acceptable; the message says why, in French."""


def max_bytes() -> int:
    return getattr(settings, "SCENARIO_RESOURCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",").replace(",0 Mo", " Mo")


def kind_label(content_type: str) -> str:
    """« PDF », « DOCX »… for a stored content type (empty when unknown)."""
    found = BY_CONTENT_TYPE.get(content_type)
    return found.label if found else ""


def _looks_like_markup(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower().replace(b"\x00", b"")
    if b"<svg" in text[:4096] or text.startswith(b"<!doctype svg"):
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<meta", b"<iframe",
                        b"<!--", b"<?xml", b"<div", b"<a ", b"<p>", b"<img", b"<style", b"<title")) \
            or any(tag in text[:4096] for tag in (b"<html", b"<script", b"<body", b"<iframe")):
        return "HTML"
    return None


def _zip_type(data: bytes) -> FileType:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ResourceRefused(DAMAGED, code="damaged", params={"kind": "ZIP"}) from None
    if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED:
        raise ResourceRefused(DAMAGED, code="zip_bomb", params={"kind": "compressé"})
    names = {m.filename for m in members}
    try:
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:200].strip()
            if mimetype == ODT.content_type.encode():
                if any(name.lower().startswith("basic/") or name.lower().startswith("scripts/") for name in names):
                    raise ResourceRefused(MACROS, code="macros")
                if "content.xml" not in names:
                    raise ResourceRefused(DAMAGED, code="damaged", params={"kind": "ODT"})
                return ODT
            kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1] or "OpenDocument"
            raise ResourceRefused(WRONG_TYPE, code="type", params={"kind": f"OpenDocument ({kind})"})
        if "[Content_Types].xml" in names:
            if archive.getinfo("[Content_Types].xml").file_size > 1024 * 1024:
                raise ResourceRefused(DAMAGED, code="damaged", params={"kind": "Office"})
            types = archive.read("[Content_Types].xml")
            if b"macroEnabled" in types or any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ResourceRefused(MACROS, code="macros")
            if b"wordprocessingml.document.main+xml" in types and "word/document.xml" in names:
                return DOCX
            if b"spreadsheetml.sheet.main+xml" in types and "xl/workbook.xml" in names:
                return XLSX
            if b"presentationml" in types:
                raise ResourceRefused(WRONG_TYPE, code="type", params={"kind": "PowerPoint (PPTX)"})
            raise ResourceRefused(UNKNOWN_TYPE, code="type")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError, RuntimeError) as error:
        if isinstance(error, ResourceRefused):
            raise
        raise ResourceRefused(DAMAGED, code="damaged", params={"kind": "compressé"}) from None
    raise ResourceRefused(WRONG_TYPE, code="type", params={"kind": "ZIP"})


def _image_type(data: bytes, file_type: FileType) -> FileType:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=[file_type.label]) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ResourceRefused(DAMAGED, code="damaged", params={"kind": file_type.label}) from None
    return file_type


def detect(data: bytes) -> FileType:
    """The type of the file, from its content; ``ResourceRefused`` (with the French reason) when not accepted."""
    if not data:
        raise ResourceRefused(EMPTY, code="empty")
    head = data[:8192]
    markup = _looks_like_markup(head)
    if markup == "SVG":
        raise ResourceRefused(SVG_REFUSED, code="svg")
    if markup == "HTML":
        raise ResourceRefused(HTML_REFUSED, code="html")
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ResourceRefused(DAMAGED, code="damaged", params={"kind": "PDF"})
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image_type(data, PNG)
    if head.startswith(b"\xff\xd8\xff"):
        return _image_type(data, JPEG)
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            raise ResourceRefused(WRONG_TYPE, code="type", params={"kind": name})
    raise ResourceRefused(UNKNOWN_TYPE, code="type")


def read_checked(upload) -> tuple[bytes, FileType]:
    """The upload's bytes and type, or ``ResourceRefused``: over the cap (declared or real), empty, not accepted."""
    if upload is None:
        raise ResourceRefused(NO_FILE, code="required")
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ResourceRefused(TOO_HEAVY, code="too_heavy",
                              params={"size": size_text(size), "limit": size_text(limit)})
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size lied
        raise ResourceRefused(TOO_HEAVY, code="too_heavy",
                              params={"size": f"plus de {size_text(limit)}", "limit": size_text(limit)})
    return data, detect(data)


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 1000:
        raise ResourceRefused(URL_TOO_LONG, code="url_too_long")
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ResourceRefused(BAD_URL, code="url")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ResourceRefused(BAD_URL, code="url") from None
    return url


def clean_title(title: str) -> str:
    return " ".join((title or "").split())[:MAX_TITLE]


def download_title(filename: str) -> str:
    """The uploaded name, kept only as the title shown (never as a path): its last part, without the folders."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return clean_title(name)


def attachment_response(storage_name: str, content_type: str, title: str, storage=None):
    """A checked file as a download (``Content-Disposition: attachment``, never shown inside the site, sandboxed
    if opened anyway), named after its title with the extension of its checked type; ``None`` when the stored
    file is gone. Scenario resources, the portfolio's fiche files and the book's files are served through it."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse
    from django.utils.http import content_disposition_header

    try:
        handle = (storage or default_storage).open(storage_name, "rb")
    except (OSError, ValueError):
        return None
    file_type = BY_CONTENT_TYPE.get(content_type)
    extension = file_type.extension if file_type else "bin"
    filename = title if title.lower().endswith(f".{extension}") else f"{title}.{extension}"
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
