"""Actions on accounts. Views call these; they hold the rules."""

from django.contrib.auth import update_session_auth_hash

from .models import User


def change_password(request, user: User, new_password: str) -> None:
    """The user chose their own password: no forced change any more, the session stays open."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    update_session_auth_hash(request, user)


def reset_to_initial_password(user: User) -> None:
    """Back to the product's initial password (birth date or derived code), to be changed at next login."""
    user.set_initial_password()
    user.save(update_fields=["password", "must_change_password"])
