"""Book des apprenants (issue 14): the learner records their achievements, picks the best ones for the passport,
exports the book as PDF — one page per achievement —; the teachers of their classes read it and comment.

The DDFPT activates the book from the pilot console (``Establishment.book_enabled``); every page reads the switch
through ``book_enabled``. Who reaches an achievement is the rule registered in ``pedagogy.registrations``: the
learner themself (who alone changes it) and the teachers who teach them (who read and comment).
"""

import contextlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.text import slugify

from accounts import access
from accounts.models import Profile, User
from documents.formats import File, pdf
from documents.uploads import ResourceRefused, clean_title, download_title, read_checked, size_text
from establishments.selectors import book_enabled  # noqa: F401  (the console's switch, read here)
from referentiels.models import Task

from .book_models import Achievement, AchievementComment, AchievementFile
from .pdf_images import data_uri

DISABLED_MESSAGE = ("Le book des apprenants n'est pas activé dans votre établissement : le DDFPT ou le chef "
                    "d'établissement l'active depuis la console de pilotage.")
MAX_FILES = 10
TOO_MANY_FILES = f"Une réussite porte au plus {MAX_FILES} fichiers : supprimez-en un avant d'en ajouter un autre."
MAX_COMMENT = 3000




# Reading ----------------------------------------------------------------------------------------------------------


def learner_version(learner: User):
    """The référentiel version the learner's class follows (its cohort), or ``None``. One query."""
    if not learner.division_id:
        return None
    from referentiels.establishment_models import Cohort

    cohort = Cohort.objects.filter(establishment_id=learner.establishment_id, division_id=learner.division_id) \
        .select_related("version__diploma").first()
    return cohort.version if cohort else None


def task_choices(version) -> list[Task]:
    if version is None:
        return []
    return list(Task.objects.filter(version=version).select_related("activity")
                .order_by("activity__position", "position", "id"))


def achievements_of(learner: User, *, picked_only: bool = False):
    """The learner's achievements, newest first, with tasks, files and comments (four queries, whatever the count)."""
    rows = Achievement.objects.filter(establishment_id=learner.establishment_id, learner=learner)
    if picked_only:
        rows = rows.filter(for_passport=True)
    return rows.select_related("version__diploma").prefetch_related(
        Prefetch("tasks", queryset=Task.objects.order_by("position", "id")),
        Prefetch("files", queryset=AchievementFile.objects.order_by("id")),
        Prefetch("comments", queryset=AchievementComment.objects.order_by("created_at", "id")),
    ).order_by("-date", "-id")


def taught_learners(teacher: User):
    """The active learners a teacher may see, with how many achievements each has recorded. One query."""
    return (access.visible_learners(teacher).filter(is_active=True).select_related("division")
            .annotate(achievement_count=Count("achievements", filter=Q(achievements__establishment_id=teacher
                                                                       .establishment_id)))
            .order_by("division__code", "last_name", "first_name", "pk"))


def may_comment(user, achievement: Achievement) -> bool:
    return user.is_active and user.profile == Profile.TEACHER and access.can(user, access.VIEW, achievement)


# Writing ----------------------------------------------------------------------------------------------------------


def _clean(data: dict, version) -> tuple[dict, list[Task]]:
    task_ids = {int(pk) for pk in data.get("task_ids", []) if str(pk).isdecimal()}
    tasks = list(Task.objects.filter(pk__in=task_ids, version=version)) if version and task_ids else []
    if len(tasks) != len(task_ids):
        raise ValidationError({"tasks": "Une tâche choisie n'appartient pas au référentiel de votre diplôme."})
    fields = {name: data[name] for name in ("title", "date", "setting", "context", "actions") if name in data}
    return fields, tasks


@transaction.atomic
def create_achievement(learner: User, data: dict, *, token: str = "") -> tuple[Achievement, bool]:
    """Records an achievement; the same form posted twice (same ``token``) records it once. ``(row, created)``."""
    token = (token or "")[:64]
    if token:
        existing = Achievement.objects.filter(establishment_id=learner.establishment_id, learner=learner,
                                              creation_token=token).first()
        if existing is not None:
            return existing, False
    version = learner_version(learner)
    fields, tasks = _clean(data, version)
    try:
        with transaction.atomic():
            achievement = Achievement.objects.create(establishment_id=learner.establishment_id, learner=learner,
                                                     version=version, creation_token=token, **fields)
    except IntegrityError:  # the same token committed meanwhile by a parallel click
        return Achievement.objects.get(establishment_id=learner.establishment_id, creation_token=token), False
    achievement.tasks.set(tasks)
    return achievement, True


@transaction.atomic
def update_achievement(achievement: Achievement, data: dict) -> Achievement:
    version = achievement.version or learner_version(achievement.learner)
    fields, tasks = _clean(data, version)
    for name, value in fields.items():
        setattr(achievement, name, value)
    achievement.version = version
    achievement.save()
    achievement.tasks.set(tasks)
    return achievement


def set_for_passport(achievement: Achievement, picked: bool) -> None:
    """Sets (never toggles: a double click leaves the choice as asked) « retenue pour le passeport »."""
    Achievement.objects.filter(pk=achievement.pk).update(for_passport=picked)
    achievement.for_passport = picked


def delete_achievement(achievement: Achievement) -> None:
    achievement.delete()  # files go once the transaction commits (receiver below)


def _storage_name(achievement: Achievement, extension: str) -> str:
    return f"book/{achievement.establishment.uai}/{uuid.uuid4().hex}.{extension}"


def add_file(achievement: Achievement, upload, title: str = "") -> AchievementFile:
    """Checks the upload by its content (``documents.uploads``), then stores it privately. The same file sent twice
    (a double click: same name, same size) is stored once."""
    data, file_type = read_checked(upload)
    title = clean_title(title) or download_title(getattr(upload, "name", "")) or f"Fichier {file_type.label}"
    with transaction.atomic():
        Achievement.objects.select_for_update().filter(pk=achievement.pk).first()  # one upload at a time
        existing = achievement.files.filter(title=title, size=len(data), content_type=file_type.content_type).first()
        if existing is not None:
            return existing
        if achievement.files.count() >= MAX_FILES:
            raise ResourceRefused(TOO_MANY_FILES, code="too_many")
        row = AchievementFile(establishment_id=achievement.establishment_id, achievement=achievement, title=title,
                              size=len(data), content_type=file_type.content_type)
        row.file.save(_storage_name(achievement, file_type.extension), ContentFile(data), save=False)
        try:
            row.save()
        except Exception:
            row.file.delete(save=False)
            raise
    return row


def delete_file(row: AchievementFile) -> None:
    row.delete()


def add_comment(achievement: Achievement, author: User, text: str) -> AchievementComment:
    """Adds a teacher's comment; the same comment posted twice (a double click) is written once."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Écrivez votre commentaire."})
    if len(text) > MAX_COMMENT:
        raise ValidationError({"text": f"Le commentaire est trop long ({MAX_COMMENT} caractères au plus)."})
    with transaction.atomic():
        Achievement.objects.select_for_update().filter(pk=achievement.pk).first()  # one comment at a time
        existing = achievement.comments.filter(author=author, text=text).first()
        if existing is not None:
            return existing
        return AchievementComment.objects.create(establishment_id=achievement.establishment_id,
                                                 achievement=achievement, author=author,
                                                 author_name=author.full_name, text=text)


def _remove_file(storage, name: str) -> None:
    with contextlib.suppress(OSError):
        storage.delete(name)


@receiver(post_delete, sender=AchievementFile, dispatch_uid="pedagogy.achievement_file_removed")
def _file_removed_after_commit(sender, instance: AchievementFile, **kwargs) -> None:
    """Also for the files deleted with their achievement (cascade): no file is left behind."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: _remove_file(storage, name))


# The book as PDF ---------------------------------------------------------------------------------------------------


def book_context(learner: User, establishment, achievements=None) -> dict:
    achievements = list(achievements if achievements is not None else achievements_of(learner))
    pages = []
    for achievement in achievements:
        images = [{"src": uri, "title": title} for uri, title in
                  ((data_uri(f.file, max_side=900), f.title) for f in achievement.files.all() if f.is_image)
                  if uri][:3]
        documents = [f for f in achievement.files.all() if not f.is_image]
        pages.append({"achievement": achievement, "images": images, "documents": documents})
    return {"establishment": establishment, "learner": learner, "pages": pages}


def book_pdf(learner: User, establishment) -> File:
    """« Une page pour chacune de mes réussites »: the book as one PDF, titled with the learner's name."""
    name = slugify(f"{learner.last_name} {learner.first_name}") or str(learner.pk)
    return pdf("pedagogy/book/book_pdf.html", book_context(learner, establishment), f"book-{name}.pdf")


def file_size_text(row: AchievementFile) -> str:
    return size_text(row.size or 1)


def file_response(row: AchievementFile):
    """The file as an attachment (never shown inside the site), or ``None`` when its content is gone."""
    from documents.uploads import attachment_response

    return attachment_response(row.file.name, row.content_type, row.title, storage=row.file.storage)

