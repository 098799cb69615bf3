"""Pages of the learners' book (« Mon book » for a learner, « Book des apprenants » for a teacher).

The learner records, changes, deletes their achievements, adds photos and files, picks the ones for the passport
and exports the book as PDF; the teachers who teach them read it and comment. Which achievement a user reaches is
the access rule of ``pedagogy.registrations``; while the DDFPT has not activated the book, every page says so and
writes nothing.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from accounts import access
from accounts.models import Profile
from accounts.permissions import profile_required
from documents.uploads import ResourceRefused
from establishments.routing import tenant_url

from . import book
from .book_forms import AchievementForm, CommentForm, FileForm
from .book_models import Achievement

BOOK_PROFILES = (Profile.LEARNER, Profile.TEACHER)


def book_page(view):
    """The page exists only once the book is activated: before, it says so (and a POST changes nothing)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not book.book_enabled(request.establishment):
            return render(request, "pedagogy/book/disabled.html", {"message": book.DISABLED_MESSAGE},
                          status=200 if request.method in ("GET", "HEAD") else 403)
        return view(request, *args, **kwargs)
    return wrapper


def _achievement(request, pk: int, action: str = access.VIEW) -> Achievement:
    rows = Achievement.objects.filter(establishment=request.establishment).select_related("learner", "version")
    return access.get_or_404(request.user, action, rows, pk=pk)


def _detail(request, achievement: Achievement):
    return redirect(tenant_url(request.establishment, "book_achievement", pk=achievement.pk))


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@profile_required(*BOOK_PROFILES)
@book_page
def book_view(request):
    """A learner: their book. A teacher: the learners they teach, with how many achievements each recorded."""
    if request.user.profile == Profile.TEACHER:
        return render(request, "pedagogy/book/learners.html", {"learners": list(book.taught_learners(request.user))})
    return render(request, "pedagogy/book/book.html", {
        "learner": request.user, "achievements": list(book.achievements_of(request.user)), "own": True})


@profile_required(Profile.TEACHER)
@book_page
def learner_book_view(request, pk: int):
    learner = get_object_or_404(access.visible_learners(request.user).filter(profile=Profile.LEARNER), pk=pk)
    return render(request, "pedagogy/book/book.html", {
        "learner": learner, "achievements": list(book.achievements_of(learner)), "own": False})


def _form_page(request, form, achievement=None, tasks=(), status=200):
    return render(request, "pedagogy/book/edit.html", {"form": form, "achievement": achievement,
                                                        "has_tasks": bool(tasks)}, status=status)


@profile_required(Profile.LEARNER)
@book_page
def achievement_create_view(request):
    learner = request.user
    tasks = book.task_choices(book.learner_version(learner))
    if request.method == "POST":
        form = AchievementForm(request.POST, tasks=tasks)
        if form.is_valid():
            try:
                achievement, created = book.create_achievement(learner, form.service_data(),
                                                               token=form.cleaned_data["token"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(request, f"Votre réussite « {achievement.title} » est enregistrée.")
                return _detail(request, achievement)
        return _form_page(request, form, tasks=tasks)
    form = AchievementForm(tasks=tasks, initial={"token": uuid.uuid4().hex})
    return _form_page(request, form, tasks=tasks)


@profile_required(Profile.LEARNER)
@book_page
def achievement_edit_view(request, pk: int):
    achievement = _achievement(request, pk, access.CHANGE)
    tasks = book.task_choices(achievement.version or book.learner_version(request.user))
    if request.method == "POST":
        form = AchievementForm(request.POST, tasks=tasks)
        if form.is_valid():
            try:
                book.update_achievement(achievement, form.service_data())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Votre réussite est modifiée.")
                return _detail(request, achievement)
        return _form_page(request, form, achievement, tasks)
    form = AchievementForm(tasks=tasks, initial={
        "title": achievement.title, "date": achievement.date, "setting": achievement.setting,
        "context": achievement.context, "actions": achievement.actions, "tasks": list(achievement.tasks.all())})
    return _form_page(request, form, achievement, tasks)


@profile_required(*BOOK_PROFILES)
@book_page
def achievement_detail_view(request, pk: int):
    achievement = _achievement(request, pk)
    own = achievement.learner_id == request.user.pk
    return render(request, "pedagogy/book/detail.html", {
        "achievement": achievement, "own": own, "tasks": list(achievement.tasks.order_by("position", "id")),
        "files": list(achievement.files.order_by("id")), "comments": list(achievement.comments.all()),
        "file_form": FileForm() if own else None,
        "comment_form": CommentForm() if book.may_comment(request.user, achievement) else None,
    })


@profile_required(Profile.LEARNER)
@book_page
def achievement_delete_view(request, pk: int):
    achievement = _achievement(request, pk, access.CHANGE)
    if request.method == "POST":
        title = achievement.title
        book.delete_achievement(achievement)
        messages.success(request, f"La réussite « {title} » est supprimée.")
        return redirect(tenant_url(request.establishment, "book"))
    return render(request, "pedagogy/book/delete.html", {"achievement": achievement,
                                                          "file_count": achievement.files.count()})


@profile_required(Profile.LEARNER)
@book_page
def achievement_pick_view(request, pk: int):
    """« Retenir pour le passeport » / « Ne plus retenir »: sets the choice asked (a second click changes nothing)."""
    achievement = _achievement(request, pk, access.CHANGE)
    if refused := _post_only(request):
        return refused
    picked = request.POST.get("retenue") == "1"
    book.set_for_passport(achievement, picked)
    messages.success(request, "Réussite retenue pour votre passeport professionnel." if picked
                     else "Cette réussite n'est plus retenue pour votre passeport.")
    return _detail(request, achievement)


@profile_required(Profile.LEARNER)
@book_page
def achievement_file_add_view(request, pk: int):
    achievement = _achievement(request, pk, access.CHANGE)
    if refused := _post_only(request):
        return refused
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = book.add_file(achievement, form.cleaned_data["file"], form.cleaned_data["title"])
        except ResourceRefused as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"Le fichier « {row.title} » est ajouté.")
            return _detail(request, achievement)
    return render(request, "pedagogy/book/detail.html", {
        "achievement": achievement, "own": True, "tasks": list(achievement.tasks.order_by("position", "id")),
        "files": list(achievement.files.order_by("id")), "comments": list(achievement.comments.all()),
        "file_form": form, "comment_form": None}, status=400)


@profile_required(*BOOK_PROFILES)
@book_page
def achievement_file_view(request, pk: int, file_pk: int):
    achievement = _achievement(request, pk)
    row = get_object_or_404(achievement.files.all(), pk=file_pk)
    response = book.file_response(row)
    if response is None:
        raise Http404("Ce fichier n'existe plus.")
    return response


@profile_required(Profile.LEARNER)
@book_page
def achievement_file_delete_view(request, pk: int, file_pk: int):
    achievement = _achievement(request, pk, access.CHANGE)
    row = get_object_or_404(achievement.files.all(), pk=file_pk)
    if refused := _post_only(request):
        return refused
    book.delete_file(row)
    messages.success(request, f"Le fichier « {row.title} » est supprimé.")
    return _detail(request, achievement)


@profile_required(Profile.TEACHER)
@book_page
def achievement_comment_view(request, pk: int):
    achievement = _achievement(request, pk)
    if refused := _post_only(request):
        return refused
    if not book.may_comment(request.user, achievement):
        raise Http404("Vous ne pouvez pas commenter cette réussite.")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            book.add_comment(achievement, request.user, form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text", error.message_dict.get("text", error.messages))
        else:
            messages.success(request, "Votre commentaire est enregistré.")
            return _detail(request, achievement)
    return render(request, "pedagogy/book/detail.html", {
        "achievement": achievement, "own": False, "tasks": list(achievement.tasks.order_by("position", "id")),
        "files": list(achievement.files.order_by("id")), "comments": list(achievement.comments.all()),
        "file_form": None, "comment_form": form}, status=400)


@profile_required(Profile.LEARNER)
@book_page
def book_export_view(request):
    """Mon book en PDF, une page par réussite."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return book.book_pdf(request.user, request.establishment).response()
