"""Deliberately broken views: the isolation sweep must catch each of them (tests/test_isolation_sweep.py).

Each one checks its object on GET as it should; the defect is on POST only, where a GET-only sweep saw nothing.
Mounted by ``tests.testapp.urls_broken``, never by the project's URLs.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required

from .models import Achievement

access.register_rule(Achievement)(access.learner_owned("learner"))


def _show(request, pk):
    return HttpResponse(access.get_or_404(request.user, "view", Achievement, pk=pk).title)


@profile_required(Profile.TEACHER, Profile.ADMIN)
def achievement_rename(request, pk):
    """Defect: the POST writes before asking the access rules (any teacher renames any learner's entry)."""
    if request.method == "POST":
        achievement = get_object_or_404(Achievement, pk=pk)
        achievement.title = request.POST.get("title", "")
        achievement.save(update_fields=["title"])
        return redirect(request.path)
    return _show(request, pk)


@profile_required(Profile.ADMIN, Profile.HEAD, Profile.DDFPT)
def achievement_rename_unscoped(request, pk):
    """Defect: the POST writes through the base manager, around the establishment's scope."""
    if request.method == "POST":
        Achievement._base_manager.filter(pk=pk).update(title=request.POST.get("title", ""))
        return redirect(request.path)
    return _show(request, pk)


@profile_required(Profile.TEACHER, Profile.ADMIN)
def achievement_rename_fixed(request, pk):
    """The same view done right: the object is looked up in the scope and checked before any write."""
    if request.method == "POST":
        achievement = access.get_or_404(request.user, "change", Achievement, pk=pk)
        achievement.title = request.POST.get("title", "")
        achievement.save(update_fields=["title"])
        return redirect(request.path)
    return _show(request, pk)
