"""Images put inside a printed document (book, passport) as small ``data:`` URIs.

WeasyPrint fetches nothing but ``data:`` URIs (``documents.formats``), and a document must stay light (a passport
with a logo and a cachet under 2 Mo): every image is downscaled and re-encoded once here, never embedded as
uploaded. A file that cannot be read is left out (``None``), never an error in the middle of an export.
"""

import base64
import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)


def data_uri(source, *, max_side: int = 600, quality: int = 78) -> str | None:
    """``source`` (bytes, or a file field / open file) as a PNG (transparency kept) or JPEG ``data:`` URI whose
    longest side is at most ``max_side`` pixels."""
    try:
        if isinstance(source, bytes | bytearray):
            raw = bytes(source)
        else:
            if not source:
                return None
            source.open("rb")
            try:
                raw = source.read()
            finally:
                source.close()
        with Image.open(io.BytesIO(raw)) as image:
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
