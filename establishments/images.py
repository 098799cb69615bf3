"""Checks and normalises the images an establishment uploads (logo, cachet) before anything is stored.

Only PNG and JPEG are accepted, recognised from their content (never from the file name). The file must be
small, of sane dimensions, and fully readable; it is then re-encoded to PNG, which drops every metadata
(EXIF, GPS, comments) and anything hidden after the image (polyglots). SVG is refused: it may carry scripts.
"""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 16_000_000
STORED_MAX_SIDE = 1200  # enough for exports (passport, scenarios), small for pages
ACCEPTED_FORMATS = ["PNG", "JPEG"]

# Formats people rename to .png/.jpg, recognised by their first bytes to say what the file really is.
_SIGNATURES = [
    (b"GIF87a", "GIF"), (b"GIF89a", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"),
    (b"%!PS", "EPS"), (b"\xc5\xd0\xd3\xc6", "EPS"), (b"%PDF", "PDF"), (b"\x00\x00\x01\x00", "ICO"),
]

TOO_HEAVY = "Le fichier pèse %(size)s : la limite est de 2 Mo. Réduisez l'image, puis déposez-la à nouveau."
EMPTY = "Le fichier est vide."
SVG_REFUSED = ("Les images SVG ne sont pas acceptées (elles peuvent contenir du code). "
               "Déposez une image PNG ou JPEG.")
WRONG_FORMAT = ("Ce fichier est une image %(format)s, quel que soit son nom : seuls les formats PNG et JPEG sont "
                "acceptés.")
NOT_AN_IMAGE = "Ce fichier n'est pas une image PNG ou JPEG lisible."
TOO_MANY_PIXELS = ("L'image annonce des dimensions démesurées : elle est refusée "
                   "(au plus 4000 pixels de côté et 16 millions de pixels).")
TOO_LARGE = ("L'image fait %(width)s × %(height)s pixels : au plus 4000 pixels de côté et 16 millions de pixels "
             "sont acceptés.")
DAMAGED = "L'image est incomplète ou endommagée : elle n'a pas pu être lue entièrement."
UNSUPPORTED_COLOURS = ("Le codage des couleurs de cette image n'est pas pris en charge : enregistrez-la en PNG ou "
                       "JPEG standard.")


class ImageRefused(ValidationError):
    """The upload is not an acceptable image; the message says why, in French."""


def _load_whole(image: Image.Image) -> None:
    """Decodes every pixel, refusing a truncated file whatever Pillow's global switch says.

    WeasyPrint (the documents layer) turns ``ImageFile.LOAD_TRUNCATED_IMAGES`` on for the whole process when it
    is imported; an upload check must not depend on which module was imported first.
    """
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def _sniff(head: bytes) -> str | None:
    """A name for formats we refuse but can recognise, so the message can say what the file is."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in stripped[:1024]:
        return "SVG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:12] in (b"ftypavif", b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "HEIF/AVIF"
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    return None


def normalise_image(upload) -> ContentFile:
    """Returns the image re-encoded as PNG, or raises ``ImageRefused`` with the reason.

    ``upload`` is any binary file object with a ``size`` (Django's ``UploadedFile``) or a seekable stream.
    Nothing is decoded before the declared dimensions are checked.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_BYTES:
        raise ImageRefused(TOO_HEAVY, code="too_heavy", params={"size": _megabytes(size)})
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # the declared size lied
        raise ImageRefused(TOO_HEAVY, code="too_heavy", params={"size": "plus de 2 Mo"})
    if not data:
        raise ImageRefused(EMPTY, code="empty")

    recognised = _sniff(data[:2048])
    if recognised == "SVG":
        raise ImageRefused(SVG_REFUSED, code="svg")

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except UnidentifiedImageError:
            if recognised:
                raise ImageRefused(WRONG_FORMAT, code="format", params={"format": recognised}) from None
            raise ImageRefused(NOT_AN_IMAGE, code="not_image") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(TOO_MANY_PIXELS, code="bomb") from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRefused(DAMAGED, code="damaged") from None

        width, height = image.size
        if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
            raise ImageRefused(TOO_LARGE, code="too_large", params={"width": width, "height": height})

        try:
            image.verify()  # structure and checksums, without decoding
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            _load_whole(image)  # full decode: a truncated file fails here
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused(DAMAGED, code="damaged") from None

    try:
        image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF gave, before dropping it
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    except (OSError, ValueError):
        raise ImageRefused(UNSUPPORTED_COLOURS, code="colours") from None
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))

    out = io.BytesIO()
    image.save(out, "PNG")  # no pnginfo, no exif: metadata is gone
    return ContentFile(out.getvalue(), name="image.png")
