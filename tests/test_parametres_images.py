"""The logo and stamp checks (establishments.images), with hostile files."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from establishments.images import ImageRefused, normalise_image

from .fixtures_users import jpeg_bytes, png_bytes


def upload(data: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(data: bytes, name="logo.png") -> ImageRefused:
    with pytest.raises(ImageRefused) as excinfo:
        normalise_image(upload(data, name))
    return excinfo.value


def message(error: ImageRefused) -> str:
    return error.messages[0]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pixel_bomb_png(width=20_000, height=20_000) -> bytes:
    """A small PNG declaring a huge image (its pixel data, all zeros, compresses to almost nothing)."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))  # 1-bit grey
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def test_png_and_jpeg_are_accepted_and_re_encoded_as_png():
    for data, name in ((png_bytes(), "logo.png"), (jpeg_bytes(), "cachet.jpg"), (jpeg_bytes(), "sans-extension")):
        result = normalise_image(upload(data, name))
        image = Image.open(io.BytesIO(result.read()))
        assert image.format == "PNG"
        assert image.size == (120, 60)


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    Image.new("RGB", (80, 40), "white").save(out, "JPEG", exif=exif, comment=b"made by someone")
    assert b"secret description" in out.getvalue()

    stored = normalise_image(upload(out.getvalue(), "photo.jpg")).read()
    image = Image.open(io.BytesIO(stored))
    assert b"secret description" not in stored and b"made by someone" not in stored
    assert not image.getexif()
    assert set(image.info) <= {"dpi"}


def test_text_chunks_of_a_png_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jean Dupont, 12 rue des Lilas")
    stored = normalise_image(upload(png_bytes(pnginfo=info))).read()
    assert b"Jean Dupont" not in stored


def test_anything_appended_after_the_image_is_gone():
    polyglot = png_bytes() + b"<script>alert(1)</script>" + b"PK\x03\x04 fake zip"
    stored = normalise_image(upload(polyglot)).read()
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored


def test_pixel_bomb_is_refused_before_decoding():
    bomb = pixel_bomb_png()
    assert len(bomb) < 100_000
    error = refusal(bomb)
    assert "dimensions démesurées" in message(error)


def test_image_over_the_pixel_limit_is_refused_with_its_size():
    data = png_bytes(size=(5000, 100), mode="L", color=0)
    assert "5000 × 100 pixels" in message(refusal(data))


@pytest.mark.parametrize("fmt,name", [("GIF", "GIF"), ("TIFF", "TIFF"), ("BMP", "BMP"), ("WEBP", "WEBP")])
def test_other_formats_renamed_png_are_refused_saying_what_they_are(fmt, name):
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, fmt)
    error = refusal(out.getvalue(), "logo.png")
    assert message(error) == (f"Ce fichier est une image {name}, quel que soit son nom : seuls les formats PNG et "
                              "JPEG sont acceptés.")


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
    b'\xef\xbb\xbf  <svg onload="alert(1)"/>',
])
def test_svg_is_refused(svg):
    assert "SVG ne sont pas acceptées" in message(refusal(svg, "logo.png"))


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(size=(400, 300), quality=95)
    assert "incomplète ou endommagée" in message(refusal(data[: len(data) // 2], "cachet.jpg"))


def test_truncated_png_is_refused():
    data = png_bytes(size=(400, 300), mode="RGB", color=(1, 2, 3))
    assert "incomplète ou endommagée" in message(refusal(data[:-40]))


def test_a_20_megabyte_file_is_refused_without_being_read():
    class Huge(io.BytesIO):
        size = 20 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("the content of a too large file must not be read")

    error = refusal_from(Huge())
    assert message(error).startswith("Le fichier pèse 20,0 Mo : la limite est de 2 Mo.")


def test_a_file_larger_than_it_says_is_refused():
    lying = upload(b"\x89PNG" + b"\x00" * (3 * 1024 * 1024))
    lying.size = 1000
    with pytest.raises(ImageRefused) as excinfo:
        normalise_image(lying)
    assert "la limite est de 2 Mo" in message(excinfo.value)


def test_text_and_empty_files_are_refused():
    not_image = refusal(b"Bonjour, ceci n'est pas une image")
    assert message(not_image) == "Ce fichier n'est pas une image PNG ou JPEG lisible."
    assert message(refusal(b"")) == "Le fichier est vide."


def refusal_from(file) -> ImageRefused:
    with pytest.raises(ImageRefused) as excinfo:
        normalise_image(file)
    return excinfo.value


def test_large_images_are_scaled_down_for_storage():
    stored = normalise_image(upload(png_bytes(size=(3000, 1000), mode="RGB", color=(9, 9, 9))))
    assert Image.open(io.BytesIO(stored.read())).size == (1200, 400)


def test_truncated_jpeg_is_refused_after_weasyprint_was_imported():
    # WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process at import (documents layer).
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    data = jpeg_bytes(size=(400, 300), quality=95)
    assert "incomplète ou endommagée" in message(refusal(data[: len(data) // 2], "cachet.jpg"))
