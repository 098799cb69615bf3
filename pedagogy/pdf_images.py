"""Images put inside a printed document (book, passport) as small ``data:`` URIs.

WeasyPrint fetches nothing but ``data:`` URIs (``documents.formats``), and a document must stay light (a passport
with a logo and a cachet under 2 Mo): every image is downscaled and re-encoded once here, never embedded as
uploaded. A file that cannot be read is left out (``None``), never an error in the middle of an export.
"""

import base64
import functools
import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)


def data_uri(source, *, max_side: int = 600, quality: int = 78) -> str | None:
    """``source`` (bytes, or a stored file field) as a PNG (transparency kept) or JPEG ``data:`` URI whose longest
    side is at most ``max_side`` pixels.

    Stored files are never rewritten in place (every upload gets a new generated name), so the result for a file
    is kept in memory by its storage name: the next export reuses it.
    """
    if isinstance(source, bytes | bytearray):
        return _encode(bytes(source), max_side, quality)
    if not source:
        return None
    return _stored(source.storage, source.name, max_side, quality)


@functools.lru_cache(maxsize=128)
def _stored(storage, name: str, max_side: int, quality: int) -> str | None:
    try:
        with storage.open(name, "rb") as handle:
            raw = handle.read()
    except (OSError, ValueError):
        logger.warning("image not embedded: %s is missing", name)
        return None
    return _encode(raw, max_side, quality)


def _encode(raw: bytes, max_side: int, quality: int) -> str | None:
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format == "JPEG":  # decode at a reduced scale directly: much faster on a large photo
                image.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            out = io.BytesIO()
            if image.mode in ("RGBA", "LA", "P"):
                image.convert("RGBA").save(out, "PNG", optimize=True)
                kind = "png"
            else:
                image.convert("RGB").save(out, "JPEG", quality=quality, optimize=True)
                kind = "jpeg"
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        logger.warning("image not embedded: unreadable")
        return None
    return f"data:image/{kind};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"
