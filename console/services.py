"""What the pilot console changes beyond the official periods (``periods.official_periods``): the learners' book.

The switch is ``Establishment.book_enabled``; the book's pages (any layer) read it with
``establishments.selectors.book_enabled(establishment)``."""

from django.db import transaction

from establishments import audit
from establishments.models import Establishment


@transaction.atomic
def set_book_enabled(establishment: Establishment, actor, enabled: bool) -> bool:
    """Opens or closes the learners' book; journaled. Returns whether anything changed (a second click with the
    same value changes nothing and writes nothing)."""
    locked = Establishment.objects.select_for_update().get(pk=establishment.pk)
    if locked.book_enabled == enabled:
        establishment.book_enabled = enabled
        return False
    locked.book_enabled = establishment.book_enabled = enabled
    locked.save(update_fields=["book_enabled"])
    audit.record(establishment, actor, "book.enable" if enabled else "book.disable", "Book des apprenants")
    return True
