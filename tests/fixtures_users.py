"""Fixtures and helpers for the Paramètres / users / learners' access / inspector tests (issue 4)."""

import html
import io

import pytest
from PIL import Image

from accounts.models import Profile

from .conftest import PASSWORD

# Test modules import the fixtures by these names (``from .fixtures_users import admin_client_fixture``).
__all__ = ["PASSWORD", "admin_client_fixture", "admin_fixture", "jpeg_bytes", "media_root_fixture", "png_bytes",
           "text"]


@pytest.fixture(name="media_root", autouse=True)
def media_root_fixture(settings, tmp_path):
    """Uploaded images go to a temporary folder, never into the repository's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(name="admin")
def admin_fixture(establishment, make_user):
    return make_user(establishment, Profile.ADMIN, login="claire.martin", first_name="Claire", last_name="Martin",
                     email="claire.martin@example.org")


@pytest.fixture(name="admin_client")
def admin_client_fixture(admin, login_as):
    return login_as(admin)


def png_bytes(size=(120, 60), mode="RGBA", color=(0, 0, 145, 255), **save_options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG", **save_options)
    return out.getvalue()


def jpeg_bytes(size=(120, 60), **save_options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", **save_options)
    return out.getvalue()


def text(response) -> str:
    """The page as a user reads it (HTML entities decoded: ``l'établissement``, not ``l&#x27;établissement``)."""
    return html.unescape(response.content.decode())
