from django.db.models import Q

from .models import Establishment
from .validators import normalize_uai


def search_establishments(query: str, limit: int = 20) -> list[Establishment]:
    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        Establishment.objects.filter(is_active=True)
        .filter(Q(uai=normalize_uai(query)) | Q(name__icontains=query) | Q(uai__istartswith=query))
        .order_by("name")[:limit]
    )


def book_enabled(establishment: Establishment | None) -> bool:
    """Whether the learners' book is open to the establishment's teachers and learners (switched on the pilot
    console by the DDFPT or the chef d'établissement). Any app may read it; only the console changes it."""
    return bool(establishment is not None and establishment.book_enabled)
