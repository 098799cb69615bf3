from django.shortcuts import redirect, render

from . import selectors
from .validators import normalize_uai


def search_view(request):
    """The site's front door: find your establishment by UAI or name, then log in there."""
    query = request.GET.get("q", "").strip()
    results = selectors.search_establishments(query) if query else []
    if len(results) == 1 and normalize_uai(query) == results[0].uai:
        return redirect("tenant:login", uai=results[0].uai)
    return render(request, "establishments/search.html", {"query": query, "results": results})
