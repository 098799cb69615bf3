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
